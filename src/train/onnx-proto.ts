/**
 * The few protobuf encoders that hand-written ONNX models need (ModelProto, GraphProto,
 * NodeProto, ValueInfoProto, AttributeProto): varints and length-delimited fields, so the
 * trainer's graphs need no protobuf dependency. Field numbers are those of onnx.proto.
 */

/** A non-negative integer as a protobuf varint (negative values are not encoded here). */
function varint(value: number): number[] {
  if (!(Number.isSafeInteger(value) && value >= 0))
    throw new RangeError(`onnx model: ${value} is not a non-negative integer`);
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

export function intField(field: number, value: number): number[] {
  return [...tag(field, 0), ...varint(value)];
}

export function bytesField(field: number, bytes: number[]): number[] {
  return [...tag(field, 2), ...varint(bytes.length), ...bytes];
}

export function stringField(field: number, text: string): number[] {
  return bytesField(field, [...new TextEncoder().encode(text)]);
}

/** ONNX TensorProto element types. */
export const onnxFloat = 1;
export const onnxInt32 = 6;
export const onnxDouble = 11;

/**
 * ValueInfoProto of a tensor: a named dim (dim_param) is dynamic, a number is fixed
 * (dim_value), so one session serves every size of the named dims.
 */
export function valueInfo(
  name: string,
  elemType: number,
  dims: readonly (string | number)[],
): number[] {
  const shape = dims.flatMap((d) =>
    bytesField(1, typeof d === "number" ? intField(1, d) : stringField(2, d)),
  );
  const tensorType = [...intField(1, elemType), ...bytesField(2, shape)];
  return [...stringField(1, name), ...bytesField(2, bytesField(1, tensorType))];
}

/** AttributeProto of type INT (2). */
export function intAttr(name: string, value: number): number[] {
  return bytesField(5, [...stringField(1, name), ...intField(3, value), ...intField(20, 2)]);
}

/** AttributeProto of type INTS (7). */
export function intsAttr(name: string, values: readonly number[]): number[] {
  return bytesField(5, [
    ...stringField(1, name),
    ...values.flatMap((v) => intField(8, v)),
    ...intField(20, 7),
  ]);
}

/** A graph's NodeProto field (inputs, outputs, op type, attributes already encoded). */
export function node(
  inputs: readonly string[],
  outputs: readonly string[],
  op: string,
  attrs: number[] = [],
): number[] {
  return bytesField(1, [
    ...inputs.flatMap((i) => stringField(1, i)),
    ...outputs.flatMap((o) => stringField(2, o)),
    ...stringField(3, `${op}_${outputs[0]}`),
    ...stringField(4, op),
    ...attrs,
  ]);
}

/** ModelProto (irVersion 8, default-domain opset 17) around a graph's nodes, inputs, outputs. */
export function modelBytes(
  nodes: number[],
  inputs: readonly number[][],
  outputs: readonly number[][],
): Uint8Array {
  const graph = [
    ...nodes,
    ...stringField(2, "g"),
    ...inputs.flatMap((i) => bytesField(11, i)),
    ...outputs.flatMap((o) => bytesField(12, o)),
  ];
  const opset = [...stringField(1, ""), ...intField(2, 17)];
  return new Uint8Array([...intField(1, 8), ...bytesField(8, opset), ...bytesField(7, graph)]);
}
