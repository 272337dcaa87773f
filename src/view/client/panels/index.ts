import { adacadPanel } from "./adacad-panel.ts";
import { magicorePanel } from "./magicore-panel.ts";

/**
 * A method's own panel by method name; each returns null when the details lack what it draws.
 * The generic details panel always follows. Add a method: one line here, one file beside.
 */
export const methodPanels: Record<string, (details: unknown, gold: string) => HTMLElement | null> =
  {
    adacad: adacadPanel,
    magicore: magicorePanel,
  };
