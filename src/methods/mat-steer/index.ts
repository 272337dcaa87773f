export {
  type AttributeTexts,
  collectActivations,
  collectAttributeActivations,
} from "./collect-activations.ts";
export {
  attributeHits,
  attributeRate,
  choiceAccuracy,
  choiceLogLikelihood,
  choicePicks,
  neutralKl,
} from "./evaluate-steering.ts";
export { meanDifferenceIntervention, meanDifferenceVectors } from "./mean-difference.ts";
export { mmd2 } from "./mmd.ts";
export { orthogonalityLoss } from "./orthogonality.ts";
export { steeringIntervention } from "./steer-intervention.ts";
export { gates, type Steerer, steer, steerInPlace } from "./steerer.ts";
export { loadSteerer, type SteererFile, saveSteerer } from "./steerer-file.ts";
export {
  defaultSteeringLayer,
  type SteeringModule,
  type SteeringSite,
  steeringModules,
} from "./steering-site.ts";
export {
  type AttributeActivations,
  initSteerer,
  type MatSteerLosses,
  type MatSteerTrainOptions,
  matSteerDefaults,
  matSteerLoss,
  medianPairwiseDistance,
  trainMatSteer,
} from "./train.ts";
