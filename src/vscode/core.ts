// The one place where the editor layer meets the VS Code-free core. The core (schemas, ajv, yaml, catalogs) is
// loaded on first use, not at activation: `require` makes esbuild wrap these modules in lazy initialisers, so
// activating the extension only parses the bundle.
import type * as Analyze from '../core/formats/analyze';
import type * as Detect from '../core/formats/detect';
import type * as Resolve from '../core/models/resolve';
import type * as Estimate from '../core/estimator/estimate';
import type * as Targets from '../core/hardware/targets';
import type * as Flags from '../core/formats/llamacpp/flags';
import type * as Explain from '../core/estimator/explain';
import type * as KvCache from '../core/estimator/kvCache';
import type * as Client from '../engine/client';
import type * as Spec from '../engine/spec';
import type * as Sweep from '../engine/sweep';
import type * as Store from '../core/results/store';
import type * as Records from '../core/results/records';
import type * as MakeModel from '../core/models/makeModel';
import type * as LlamaBench from '../engine/llamaBench';
import type * as Compare from '../engine/compare';
import type * as CacheTypes from '../core/estimator/cacheTypes';
import type * as CompareSpeed from '../engine/compareSpeed';
import type * as DeploymentEstimate from '../core/deploymentEstimate';
import type * as Verdict from '../core/verdict';
import type * as EditorAnalysis from '../core/editorAnalysis';
import type * as Completion from '../core/completion';
import type * as HardwareCatalog from '../core/hardware/catalog';
import type * as ModelCatalog from '../core/models/catalog';
import type * as Starter from '../core/fixes/starter';
import type * as MachineStore from '../core/estimator/calibration/machineStore';
import type * as Local from '../core/hardware/local';

export type { Deployment, ConfigFormat, TargetRef } from '../core/deployment';
export type { KvDiagnostic, Range as KvRange, Severity as KvSeverity } from '../core/diagnostics';
export type { EstimateReport, TargetEstimate, Verdict } from '../core/estimator/report';
export type { DeploymentVerdict, TargetVerdict, VerdictState } from '../core/verdict';
export type { EditorEstimate } from '../core/editorAnalysis';
export type { ModelDescriptor } from '../core/models/descriptor';
export type { CustomTarget } from '../core/hardware/targets';
export type { FlagSpec } from '../core/formats/llamacpp/flags';
export type { BenchTestSpec } from '../engine/spec';
export type { SweepValues } from '../engine/sweep';

export type Core = typeof Analyze & typeof Detect & typeof Resolve & typeof Estimate & typeof Targets & typeof Flags & typeof Explain & typeof KvCache
  & typeof DeploymentEstimate & typeof Verdict & typeof EditorAnalysis & typeof Completion & typeof HardwareCatalog & typeof ModelCatalog & typeof Starter
  & typeof MachineStore & Pick<typeof Local, 'currentLocalDetection'>;
export type Engine = typeof Client & typeof Spec & typeof Sweep & typeof Store & typeof Records & typeof MakeModel & typeof LlamaBench & typeof Compare & typeof CacheTypes & typeof CompareSpeed;

let core: Core | undefined;
let engine: Engine | undefined;

/* eslint-disable @typescript-eslint/no-require-imports -- deliberate lazy loading, see the file comment */
export function loadCore(): Core {
  return (core ??= {
    ...require('../core/formats/analyze'),
    ...require('../core/formats/detect'),
    ...require('../core/models/resolve'),
    ...require('../core/estimator/estimate'),
    ...require('../core/hardware/targets'),
    ...require('../core/formats/llamacpp/flags'),
    ...require('../core/estimator/explain'),
    ...require('../core/estimator/kvCache'),
    ...require('../core/deploymentEstimate'),
    ...require('../core/verdict'),
    ...require('../core/editorAnalysis'),
    ...require('../core/completion'),
    ...require('../core/hardware/catalog'),
    ...require('../core/models/catalog'),
    ...require('../core/fixes/starter'),
    ...require('../core/estimator/calibration/machineStore'),
    currentLocalDetection: require('../core/hardware/local').currentLocalDetection,
  } as Core);
}

/** The benchmark side (runner client, sweep expansion, results store, model generator): only for Run Benchmark. */
export function loadEngine(): Engine {
  return (engine ??= {
    ...require('../engine/client'),
    ...require('../engine/spec'),
    ...require('../engine/sweep'),
    ...require('../core/results/store'),
    ...require('../core/results/records'),
    ...require('../core/models/makeModel'),
    ...require('../engine/llamaBench'),
    ...require('../engine/compare'),
    ...require('../core/estimator/cacheTypes'),
    ...require('../engine/compareSpeed'),
  } as Engine);
}
/* eslint-enable @typescript-eslint/no-require-imports */
