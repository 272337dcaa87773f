export { canDequantize, dequantizableTypes, dequantize } from "./dequantize.ts";
export { type GgmlType, ggmlTypeFromId, ggmlTypes, tensorByteLength } from "./ggml-type.ts";
export {
  GgufFile,
  type GgufTensorInfo,
  openGguf,
  supportedGgufVersions,
} from "./gguf-file.ts";
export {
  type GgufArrayItems,
  type GgufPlainValue,
  type GgufValue,
  type GgufValueType,
  gguf,
  plainValue,
} from "./gguf-value.ts";
export {
  type GgufTensorInput,
  type GgufWriteInput,
  type TensorValues,
  writeGguf,
} from "./gguf-writer.ts";
export { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from "./half-float.ts";
export {
  type LoraAdapterInput,
  type LoraWeight,
  type RandomLoraOptions,
  writeLoraAdapter,
  writeRandomLora,
} from "./lora-adapter.ts";
export { quantizableTypes, quantize } from "./quantize.ts";
export {
  type ModelPreset,
  type ModelShape,
  modelPresets,
  type RandomModelArchitecture,
  type RandomModelOptions,
  type RandomModelTensorType,
  writeRandomModel,
} from "./random-model.ts";
export { buildSpmVocab, chatmlTemplate, type SpmVocab, spmVocabMetadata } from "./spm-vocab.ts";
