import { availableParallelism } from "node:os";
import { getLlama, getLlamaGpuTypes, type Llama, LlamaLogLevel } from "node-llama-cpp";

/** The node-llama-cpp runtime chosen for this process, and why. */
export interface LlamaRuntime {
  llama: Llama;
  /** The backend in use: false for CPU, or "cuda" / "vulkan" / "metal". */
  gpu: Llama["gpu"];
  /** Why this backend was chosen (for logs and `chorus models`). */
  reason: string;
}

const runtimes = new Map<string, Promise<LlamaRuntime>>();

/**
 * The process-wide node-llama-cpp runtime (one per GPU choice). `gpu: "auto"` uses a GPU only when
 * node-llama-cpp reports a usable one AND its prebuilt binary loads; it never builds from source
 * (`build: "never"`), and falls back to the CPU build on any failure. `CHORUS_LLAMA_GPU=0` forces CPU.
 */
export function getLlamaRuntime(gpu: "auto" | boolean = "auto"): Promise<LlamaRuntime> {
  const env = process.env.CHORUS_LLAMA_GPU;
  const choice: "auto" | boolean = env === "0" || env === "false" ? false : gpu;
  const key = String(choice);
  let runtime = runtimes.get(key);
  if (!runtime) {
    runtime = createRuntime(choice);
    runtimes.set(key, runtime);
    runtime.catch(() => runtimes.delete(key));
  }
  return runtime;
}

async function createRuntime(gpu: "auto" | boolean): Promise<LlamaRuntime> {
  const common = {
    build: "never",
    logLevel: LlamaLogLevel.error,
    progressLogs: false,
    maxThreads: availableParallelism(),
  } as const;
  if (gpu === false) {
    return {
      llama: await getLlama({ ...common, gpu: false }),
      gpu: false,
      reason: "CPU requested",
    };
  }
  // "supported" only inspects the machine (drivers, libraries); it loads and builds nothing.
  const supported = (await getLlamaGpuTypes("supported")).filter((t) => t !== false);
  if (supported.length === 0) {
    if (gpu === true) {
      const llama = await getLlama({ ...common, gpu: false });
      return { llama, gpu: false, reason: "GPU requested but none is usable here; using the CPU" };
    }
    return {
      llama: await getLlama({ ...common, gpu: false }),
      gpu: false,
      reason: "no usable GPU found",
    };
  }
  try {
    const llama = await getLlama({ ...common, gpu: "auto" });
    return {
      llama,
      gpu: llama.gpu,
      reason: llama.gpu ? `GPU ${llama.gpu} detected` : "GPU binaries did not load; using the CPU",
    };
  } catch (error) {
    const llama = await getLlama({ ...common, gpu: false });
    return {
      llama,
      gpu: false,
      reason: `GPU (${supported.join(", ")}) failed to load (${String(error)}); using the CPU`,
    };
  }
}
