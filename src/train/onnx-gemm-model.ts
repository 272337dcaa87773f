/**
 * Hand-encoded ONNX ModelProtos (one `Gemm` node, or a batched `MatMul`) with symbolic input
 * shapes, so one onnxruntime session serves every matrix size (no protobuf dependency: a handful
 * of varint and length-delimited fields is all the models need).
 */

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

function tag(field: number, wire: number): number[] {
  return varint(field * 8 + wire);
}

function intField(field: number, value: number): number[] {
  return [...tag(field, 0), ...varint(value)];
}

function bytesField(field: number, bytes: number[]): number[] {
  return [...tag(field, 2), ...varint(bytes.length), ...bytes];
}

function stringField(field: number, text: string): number[] {
  return bytesField(field, [...new TextEncoder().encode(text)]);
}

/** ValueInfoProto of a tensor whose dims are named (dim_param), i.e. dynamic. */
function valueInfo(name: string, elemType: number, dims: readonly string[]): number[] {
  const shape = dims.flatMap((d) => bytesField(1, stringField(2, d)));
  const tensorType = [...intField(1, elemType), ...bytesField(2, shape)];
  return [...stringField(1, name), ...bytesField(2, bytesField(1, tensorType))];
}

/** ONNX TensorProto element types. */
export const onnxFloat = 1;
export const onnxDouble = 11;

/**
 * Bytes of a model computing `Y = op(A) · op(B)` where op transposes when the flag is set.
 * A is [M,K] (or [K,M] when transA), B is [K,N] (or [N,K] when transB); irVersion 8, opset 17.
 */
export function gemmModelBytes(transA: boolean, transB: boolean, elemType = onnxFloat): Uint8Array {
  const aDims: [string, string] = transA ? ["K", "M"] : ["M", "K"];
  const bDims: [string, string] = transB ? ["N", "K"] : ["K", "N"];
  const attr = (name: string, value: number) =>
    bytesField(5, [...stringField(1, name), ...intField(3, value), ...intField(20, 2)]);
  const node = [
    ...stringField(1, "A"),
    ...stringField(1, "B"),
    ...stringField(2, "Y"),
    ...stringField(3, "gemm"),
    ...stringField(4, "Gemm"),
    ...attr("transA", transA ? 1 : 0),
    ...attr("transB", transB ? 1 : 0),
  ];
  const graph = [
    ...bytesField(1, node),
    ...stringField(2, "g"),
    ...bytesField(11, valueInfo("A", elemType, aDims)),
    ...bytesField(11, valueInfo("B", elemType, bDims)),
    ...bytesField(12, valueInfo("Y", elemType, ["M", "N"])),
  ];
  return modelBytes(graph);
}

/** ModelProto around a graph: irVersion 8, default-domain opset 17. */
function modelBytes(graph: number[]): Uint8Array {
  const opset = [...stringField(1, ""), ...intField(2, 17)];
  return new Uint8Array([...intField(1, 8), ...bytesField(8, opset), ...bytesField(7, graph)]);
}

/** NodeProto (inputs, outputs, op type, attributes already encoded). */
function nodeBytes(
  inputs: string[],
  outputs: string[],
  op: string,
  attrs: number[] = [],
): number[] {
  return [
    ...inputs.flatMap((i) => stringField(1, i)),
    ...outputs.flatMap((o) => stringField(2, o)),
    ...stringField(3, `${op}_${outputs[0]}`),
    ...stringField(4, op),
    ...attrs,
  ];
}

/** `perm` attribute [0, 2, 1] (type INTS = 7): swaps the last two axes of a 3-D tensor. */
const swapLastTwo = bytesField(5, [
  ...stringField(1, "perm"),
  ...[0, 2, 1].flatMap((v) => intField(8, v)),
  ...intField(20, 7),
]);

/**
 * Bytes of a model computing `Y[g] = op(A[g]) · op(B[g])` for every g < G: A is [G,M,K] (or
 * [G,K,M] with transA), B is [G,K,N] (or [G,N,K] with transB). A transposed operand goes through
 * a `Transpose` node that onnxruntime's graph optimizer folds into the product (FusedMatMul), so
 * no transposed copy is made.
 */
export function batchedMatMulModelBytes(
  transA: boolean,
  transB: boolean,
  elemType = onnxFloat,
): Uint8Array {
  const nodes: number[] = [];
  if (transA) nodes.push(...bytesField(1, nodeBytes(["A"], ["At"], "Transpose", swapLastTwo)));
  if (transB) nodes.push(...bytesField(1, nodeBytes(["B"], ["Bt"], "Transpose", swapLastTwo)));
  nodes.push(
    ...bytesField(1, nodeBytes([transA ? "At" : "A", transB ? "Bt" : "B"], ["Y"], "MatMul")),
  );
  const graph = [
    ...nodes,
    ...stringField(2, "g"),
    ...bytesField(11, valueInfo("A", elemType, transA ? ["G", "K", "M"] : ["G", "M", "K"])),
    ...bytesField(11, valueInfo("B", elemType, transB ? ["G", "N", "K"] : ["G", "K", "N"])),
    ...bytesField(12, valueInfo("Y", elemType, ["G", "M", "N"])),
  ];
  return modelBytes(graph);
}
