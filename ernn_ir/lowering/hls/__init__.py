"""The HLS C++ backend: a Vitis HLS project from a tiled accelerator, bit-exact in C simulation.

    ernn-opt model_q.mlir -p 'ernn-tile{multipliers=64}' -t hls -o prj       # ap_fixed project
    ernn-opt model_q.mlir -p 'ernn-tile{multipliers=64}' -t hls-int -o prj   # plain C++ integers
    run_with_backend(module, [x], "hls")                                      # g++ + ctypes C simulation

`emit.py` writes the C++ of one `ernn_hw.accelerator` from its design,
`project.py` the files around it (testbench, bridge, tcl, Makefile),
`backend.py` builds it with g++ and runs it from Python, `target.py` is the
`-t hls` / `-t hls-int` output target.  docs/hls.md describes the result.
"""
