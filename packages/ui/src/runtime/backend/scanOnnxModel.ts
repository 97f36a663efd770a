/**
 * What the browser backend needs to know about an ONNX model before onnxruntime-web loads it:
 * whether its weights are float16 (WebGPU then needs the adapter's `shader-f16`) and how many bytes
 * of weights it keeps in external data files (on wasm every byte goes into the 4 GiB wasm heap).
 * Reads the protobuf wire format directly (ModelProto.graph -> GraphProto.initializer ->
 * TensorProto), so the editor needs no ONNX library for it; other fields are skipped.
 */
export interface OnnxModelScan {
  initializers: number;
  /** Initializers stored as FLOAT16 (ONNX data type 10). */
  float16Initializers: number;
  /** Bytes of initializers held in external data files (sum of their `length` entries). */
  externalBytes: number;
  /** Distinct external data file names (`location` entries). */
  externalFiles: string[];
}

const FLOAT16 = 10;
const decoder = new TextDecoder();

class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  varint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
      if (scale > 2 ** 63) throw new Error('varint too long');
    }
  }

  /** Calls `onField(field, wireType, start, end)` for each field; end = start for varints. */
  fields(onField: (field: number, wire: number, reader: Reader, start: number, end: number) => void): void {
    while (this.pos < this.end) {
      const key = this.varint();
      const field = Math.floor(key / 8);
      const wire = key & 7;
      if (wire === 0) {
        const start = this.pos;
        const value = this.varint();
        onField(field, wire, this, start, value); // `end` carries the value for varints
      } else if (wire === 2) {
        const len = this.varint();
        const start = this.pos;
        if (start + len > this.end) throw new Error('truncated field');
        this.pos += len;
        onField(field, wire, this, start, start + len);
      } else if (wire === 1) this.pos += 8;
      else if (wire === 5) this.pos += 4;
      else throw new Error(`unsupported wire type ${wire}`);
    }
  }
}

function scanTensor(buf: Uint8Array, start: number, end: number, out: OnnxModelScan, files: Set<string>): void {
  let dataType = 0;
  let length = 0;
  new Reader(buf, start, end).fields((field, wire, _r, s, e) => {
    if (field === 2 && wire === 0) dataType = e;
    else if (field === 13 && wire === 2) {
      let key = '';
      let value = '';
      new Reader(buf, s, e).fields((f, w, _rr, ss, ee) => {
        if (w !== 2) return;
        if (f === 1) key = decoder.decode(buf.subarray(ss, ee));
        else if (f === 2) value = decoder.decode(buf.subarray(ss, ee));
      });
      if (key === 'length') length = Number(value);
      else if (key === 'location') files.add(value);
    }
  });
  out.initializers++;
  if (dataType === FLOAT16) out.float16Initializers++;
  out.externalBytes += length;
}

/** Scans a serialized ModelProto; throws on bytes that are not protobuf. */
export function scanOnnxModel(bytes: Uint8Array): OnnxModelScan {
  const out: OnnxModelScan = { initializers: 0, float16Initializers: 0, externalBytes: 0, externalFiles: [] };
  const files = new Set<string>();
  new Reader(bytes, 0, bytes.length).fields((field, wire, _r, start, end) => {
    if (field !== 7 || wire !== 2) return; // ModelProto.graph
    new Reader(bytes, start, end).fields((f, w, _rr, s, e) => {
      if (f === 5 && w === 2) scanTensor(bytes, s, e, out, files); // GraphProto.initializer
    });
  });
  out.externalFiles = [...files];
  return out;
}
