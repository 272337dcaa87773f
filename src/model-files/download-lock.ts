import { open, readFile, rm } from "node:fs/promises";
import { UsageError } from "../model/errors.ts";

/**
 * An exclusive lock file beside a download (holding the owner's pid), so two processes never
 * append to the same partial file. A lock left by a dead process is taken over.
 */
export async function acquireDownloadLock(lockPath: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockPath, "wx");
      await handle.write(String(process.pid));
      await handle.close();
      return () => rm(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const pid = Number.parseInt(await readFile(lockPath, "utf8").catch(() => ""), 10);
      if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) {
        throw new UsageError(
          `another chorus process (pid ${pid}) is downloading this file; wait for it to finish, ` +
            `or delete ${lockPath} if that process is gone`,
        );
      }
      await rm(lockPath, { force: true });
    }
  }
  throw new UsageError(`cannot take the download lock ${lockPath}; delete it and try again`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
