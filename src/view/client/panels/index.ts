import { adacadPanel } from "./adacad-panel.ts";
import { laserBatchPanel, laserEvalPanel } from "./laser-item-panel.ts";
import { magicorePanel } from "./magicore-panel.ts";
import { mammRefinePanel } from "./mamm-refine-panel.ts";
import { pbtOutcomePanel } from "./pbt-outcome-panel.ts";
import { pbtTreePanel } from "./pbt-tree-panel.ts";
import { symbolicMoePanel } from "./symbolic-moe-panel.ts";
import { unlearnPanel } from "./unlearn-panel.ts";
import { utdebugPanel } from "./utdebug-panel.ts";

/**
 * A method's own panel by method name; each returns null when the details lack what it draws.
 * The generic details panel always follows. Add a method: one line here, one file beside.
 */
export const methodPanels: Record<string, (details: unknown, gold: string) => HTMLElement | null> =
  {
    adacad: adacadPanel,
    magicore: magicorePanel,
    "mamm-refine": mammRefinePanel,
    dcr: mammRefinePanel,
    "symbolic-moe": symbolicMoePanel,
    "moe-random-k": symbolicMoePanel,
    "moa-all": symbolicMoePanel,
    utdebug: utdebugPanel,
    "utdebug-random": utdebugPanel,
    "utdebug-example": utdebugPanel,
    unlearn: unlearnPanel,
    // training runs' lines (their records are not eval records: the panel gets the result)
    laser: laserBatchPanel,
    "laser-eval": laserEvalPanel,
    "pbt-trees": pbtTreePanel,
    "pbt-eval": pbtOutcomePanel,
    demo: (d) => pbtTreePanel(d) ?? pbtOutcomePanel(d),
  };
