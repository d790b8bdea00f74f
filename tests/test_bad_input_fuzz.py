"""Bad input found by fuzzing the CLI and the loaders: one line naming the field, exit code 2.

Each test is one class of defect (a traceback, a hang, a silently wrong run, or a message that
did not name the field), parametrized over the inputs that showed it. Everything runs
in-process through :func:`accelsim.cli.main` and fails before any mapper search.
"""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pytest

from accelsim.cli.main import main

BIG = 2**70  # beyond int64: an OverflowError in the kernels, or a factorisation that never ends


def fails(capsys, argv) -> str:
    """Run the CLI expecting a user error; return its one line (without the prefix)."""
    capsys.readouterr()
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse errors exit through SystemExit
        code = exc.code
    got = capsys.readouterr()
    assert code == 2, f"exit {code}; stdout:\n{got.out}\nstderr:\n{got.err}"
    assert "Traceback" not in got.err and "Traceback" not in got.out
    lines = got.err.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{got.err}"
    assert "error: " in lines[0], lines[0]
    return lines[0].split("error: ", 1)[1]


def write(path, text: str):
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def small_workload(tmp_path, extra: str = "", m: int = 8):
    return write(tmp_path / "net.yaml", f"""
        version: 1
        name: net
        layers:
          - {{name: c1, M: {m}, C: 4, H: 10, W: 10, R: 3, S: 3{extra}}}
        """)


def small_hardware(tmp_path, rows=4, glb=16384, extra: str = ""):
    return write(tmp_path / "hw.yaml", f"""
        version: 1
        name: hw
        pe_array: {{rows: {rows}, cols: 4}}
        rf_words: {{shared: 256}}
        glb_words: {{shared: {glb}}}
        """ + textwrap.dedent(extra))


def sweep_file(tmp_path, extra: str):
    small_workload(tmp_path)
    return write(tmp_path / "sweep.yaml", """
        version: 1
        workloads: [net.yaml]
        hardware: [eyeriss]
        dataflows: [rs]
        """ + textwrap.dedent(extra))


# --------------------------------------------------------------------------- huge integers
@pytest.mark.parametrize("case, field", [
    ("layer_dim", "layers[0].M"),            # hung in the mapper's factorisation
    ("pe_rows", "pe_array.rows"),            # OverflowError in the kernels
    ("glb_words", "glb_words.shared"),
    ("pipeline", "pe_pipeline_depth"),
    ("--batch", "--batch"),                  # hung
    ("--array", "--array"),                  # OverflowError
    ("sweep batch", "batch[0]"),             # a case failing with ZeroDivisionError
    ("sweep arrays", "arrays[0]"),
    ("sweep vary", "vary.glb_words[0]"),
    ("sweep seed", "budget.seed"),
])
def test_integers_beyond_int64_are_rejected(tmp_path, capsys, case, field):
    wl = small_workload(tmp_path)
    argv = {
        "layer_dim": lambda: ["run", small_workload(tmp_path, m=BIG)],
        "pe_rows": lambda: ["run", wl, "--hardware", small_hardware(tmp_path, rows=BIG)],
        "glb_words": lambda: ["run", wl, "--hardware", small_hardware(tmp_path, glb=BIG)],
        "pipeline": lambda: ["run", wl, "--hardware", small_hardware(tmp_path, extra=f"pe_pipeline_depth: {BIG}\n")],
        "--batch": lambda: ["run", wl, "--batch", BIG],
        "--array": lambda: ["run", wl, "--array", f"{BIG}x4"],
        "sweep batch": lambda: ["sweep", sweep_file(tmp_path, f"batch: [{BIG}]\n"), "--out", tmp_path / "o"],
        "sweep arrays": lambda: ["sweep", sweep_file(tmp_path, f"arrays: [{BIG}x4]\n"), "--out", tmp_path / "o"],
        "sweep vary": lambda: ["sweep", sweep_file(tmp_path, f"vary: {{glb_words: [{BIG}]}}\n"),
                               "--out", tmp_path / "o"],
        "sweep seed": lambda: ["sweep", sweep_file(tmp_path, f"budget: {{seed: {BIG}}}\n"), "--out", tmp_path / "o"],
    }[case]()
    msg = fails(capsys, argv)
    assert msg.startswith(f"{field}: ") and "must be <=" in msg
    assert not (tmp_path / "o" / "records.csv").exists()


# --------------------------------------------------------------------------- counts beyond int64
@pytest.mark.parametrize("case, field", [
    ("file", "layers[0]"),     # negative energies from int64 overflow
    ("--batch", "--batch"),
    ("sweep", "batch[0]"),
])
def test_layers_too_large_to_count_are_rejected(tmp_path, capsys, case, field):
    if case == "file":
        path = write(tmp_path / "big.yaml", """
            version: 1
            name: big
            layers:
              - {name: c1, M: 100000, C: 100000, H: 1000000001, W: 1000000001, R: 3, S: 3}
            """)
        argv = ["run", path]
    elif case == "--batch":
        argv = ["run", "alexnet", "--layers", "conv3", "--batch", 2**40]
    else:
        argv = ["sweep", sweep_file(tmp_path, f"batch: [{2**40}]\n"), "--out", tmp_path / "o"]
    msg = fails(capsys, argv)
    assert msg.startswith(f"{field}: ") and "2**50" in msg


# --------------------------------------------------------------------------- output paths
@pytest.mark.parametrize("option", ["--json", "--plot", "--trace", "plot -o", "import -o", "sweep --out",
                                    "validate --json"])
@pytest.mark.parametrize("where", ["a directory", "under a file"])
def test_unwritable_outputs_fail_before_any_work(tmp_path, capsys, option, where):
    a_file = write(tmp_path / "a_file.txt", "x")
    target = tmp_path if where == "a directory" else a_file / "out.png"
    wl = small_workload(tmp_path)
    doc = tmp_path / "r.json"
    doc.write_text(json.dumps({"layers": [{"name": "c1", "macs": 1, "energy": {"ALU": 1.0}}]}))
    argv, field = {
        "--json": (["run", wl, "--json", target], "--json"),
        "--plot": (["run", wl, "--plot", target], "--plot"),
        "--trace": (["run", wl, "--engine", "cycle", "--trace", target], "--trace"),
        "plot -o": (["plot", doc, "-o", target], "--output"),
        "import -o": (["import", tmp_path / "m.onnx", "-o", target], "--output"),
        "sweep --out": (["sweep", sweep_file(tmp_path, ""), "--out", target], "--out"),
        "validate --json": (["validate", "eyeriss", "--json", target], "--json"),
    }[option]
    if option == "sweep --out" and where == "a directory":
        target = a_file  # a directory is what --out wants; a file is the bad case
        argv[-1] = target
    msg = fails(capsys, argv)
    assert msg.startswith(f"{field}: ") and ("directory" in msg or "exists" in msg)


# --------------------------------------------------------------------------- plot inputs
def _trace_1d(path):
    np.savez(path, **{"c1.trace": np.zeros(3), "columns": np.array(["x"])})


@pytest.mark.parametrize("name, content, words", [
    ("ints.json", {"layers": [1, 2]}, "layers[0]: must be a layer record"),
    ("energy.json", {"layers": [{"name": "c1", "macs": 1, "energy": "x"}]}, "layers[0].energy: must be a mapping"),
    ("macs.json", {"layers": [{"name": "c1", "macs": "x", "energy": {}}]}, "layers[0].macs: must be a finite number"),
    ("nan.json", '{"layers": [{"name": "c1", "macs": NaN}]}', "layers[0].macs: must be a finite number"),
    ("runs.json", {"runs": [{"layers": [{"energy": {"RF": {"ifmap": "x"}}}]}]}, "runs[0].layers[0].energy.RF"),
    ("deep.json", "[" * 100000 + "]" * 100000, "not a JSON document"),
    ("trace.npz", _trace_1d, "not a cycle trace"),
    ("sweep_utf8", b"\xff\xfe", "not UTF-8"),
    ("sweep_cell", "case,layer,layer_index,n_layers,batch\nab,c1,0,1,x\n", "column 'batch'"),
])
def test_malformed_plot_inputs_name_the_file_and_field(tmp_path, capsys, name, content, words):
    path = tmp_path / name
    if name.startswith("sweep"):
        path.mkdir()
        records = path / "records.csv"
        records.write_bytes(content) if isinstance(content, bytes) else records.write_text(content)
        field = str(records)
    else:
        field = str(path)
        if callable(content):
            content(path)
        else:
            path.write_text(content if isinstance(content, str) else json.dumps(content))
    kinds = ["--kind", "pareto"] if name.startswith("sweep") else []
    for kind in (["--kind", "breakdown"], ["--kind", "pareto"]) if name.endswith(".json") else [kinds]:
        msg = fails(capsys, ["plot", path, *kind, "-o", tmp_path / "x.png"])
        assert msg.startswith(f"{field}: ") and words in msg


# --------------------------------------------------------------------------- lax booleans
@pytest.mark.parametrize("case, field", [
    ("t_on_rows", "layers.conv3.eyeriss.t_on_rows"),
    ("ragged", "budget.ragged"),
])
@pytest.mark.parametrize("value", ["1", "yes"])
def test_flags_must_be_true_or_false(tmp_path, capsys, case, field, value):
    if case == "t_on_rows":
        path = write(tmp_path / "map.yaml", f"""
            version: 1
            dataflow: rs
            workload: alexnet
            layers:
              conv3: {{eyeriss: {{n: 1, e: 13, p: 16, q: 4, r: 1, t: 4, t_on_rows: {value}}}}}
            """)
        argv = ["run", "alexnet", "--layers", "conv3", "--mapping", path]
    else:
        argv = ["sweep", sweep_file(tmp_path, f"budget: {{ragged: {value}}}\n"), "--out", tmp_path / "o"]
    msg = fails(capsys, argv)
    assert msg.startswith(f"{field}: ") and "true or false" in msg


# --------------------------------------------------------------------------- silently wrong runs
@pytest.mark.parametrize("argv, field, words", [
    # an rs mapping file was run (and labelled) as ws
    (["run", "alexnet", "--layers", "conv3", "--batch", "4", "--dataflow", "ws", "--mapping", "eyeriss-jssc"],
     "--dataflow", "--dataflow rs"),
    (["mapping", "show", "alexnet", "--layers", "conv3", "--batch", "4", "--dataflow", "osa", "--mapping",
      "eyeriss-jssc"], "--dataflow", "--dataflow rs"),
    # --setup silently won over --hardware; a repeated dataflow ran twice
    (["compare", "alexnet", "--layers", "conv3", "--hardware", "eyeriss", "--setup", "isca16"], "--setup", "not both"),
    (["compare", "alexnet", "--layers", "conv3", "--hardware", "eyeriss", "--dataflows", "rs,ws,RS"], "--dataflows",
     "repeated dataflow rs"),
])
def test_conflicting_options_are_rejected(capsys, argv, field, words):
    msg = fails(capsys, argv)
    assert msg.startswith(f"{field}: ") and words in msg


# --------------------------------------------------------------------------- naming the option
@pytest.mark.parametrize("argv, field, words", [
    (["run", "alexnet", "--layers", "conv3", "--hardware", "eyeris"], "--hardware", "unknown hardware preset"),
    (["run", "alexnet", "--layers", "conv3", "--hardware", "nope/hw.yaml"], "--hardware", "no such file"),
    (["run", "vgg16", "--layers", "conv1_1", "--mapping", "eyeriss-jssc"], "--mapping", "unknown mappings preset"),
    (["sweep", "SWEEP", "--out", "OUT", "--scheduler", "garbage"], "--scheduler", "tcp://host:8786"),  # traceback
])
def test_errors_name_the_option(tmp_path, capsys, argv, field, words):
    if "--scheduler" in argv:
        pytest.importorskip("distributed")
    argv = [sweep_file(tmp_path, "") if a == "SWEEP" else tmp_path / "o" if a == "OUT" else a for a in argv]
    msg = fails(capsys, argv)
    assert msg.startswith(f"{field}: ") and words in msg


@pytest.mark.parametrize("text, field", [
    ("dram: -1", "dram"),
    ("rf: one", "rf"),
])
def test_energy_file_errors_keep_their_key(tmp_path, capsys, text, field):
    table = {"version": 1, "name": "e", "source": "s", "unit": "pj", "mac": 1, "rf": 1, "noc": 2, "glb": 6, "dram": 200}
    key, value = text.split(": ")
    path = write(tmp_path / "e.yaml", "\n".join(f"{k}: {value if k == key else v}" for k, v in table.items()))
    msg = fails(capsys, ["run", small_workload(tmp_path), "--energy", path])
    assert msg.startswith(f"--energy: {field}: ")


# --------------------------------------------------------------------------- YAML edge cases
@pytest.mark.parametrize("layers, words", [
    ("[{name: c1, M: " + "9" * 5000 + ", C: 4, H: 6, W: 6, R: 3, S: 3}]", "4300 digits"),  # ValueError
    ("[" * 100000 + "]" * 100000, "nested too deeply"),                                     # RecursionError
])
def test_yaml_the_parser_chokes_on(tmp_path, capsys, layers, words):
    path = tmp_path / "net.yaml"
    path.write_text(f"version: 1\nname: net\nlayers: {layers}\n")
    msg = fails(capsys, ["run", path])
    assert msg.startswith("malformed YAML in ") and "net.yaml" in msg and words in msg


def test_a_non_string_key_is_named(tmp_path, capsys):
    path = write(tmp_path / "net.yaml", """
        version: 1
        name: net
        1: 2
        layers: [{name: c1, M: 4, C: 4, H: 6, W: 6, R: 3, S: 3}]
        """)
    msg = fails(capsys, ["run", path])
    assert msg.startswith("[1]: keys must be strings, got 1")


# --------------------------------------------------------------------------- empty energy tables
@pytest.mark.parametrize("where", ["--energy", "hardware"])
def test_an_energy_table_of_zeros_is_rejected(tmp_path, capsys, where):
    """A table of zeros made ``compare`` divide by a zero energy (a traceback)."""
    costs = {k: 0 for k in ("mac", "rf", "noc", "glb", "dram")}
    if where == "--energy":
        path = write(tmp_path / "e.yaml", "version: 1\nname: e\nsource: s\nunit: pj\n"
                     + "".join(f"{k}: {v}\n" for k, v in costs.items()))
        argv, field = ["compare", small_workload(tmp_path), "--hardware", "eyeriss", "--energy", path], "--energy"
    else:
        hw = small_hardware(tmp_path, extra="energy: {unit: pj, mac: 0, rf: 0, noc: 0, glb: 0, dram: 0}\n")
        argv, field = ["compare", small_workload(tmp_path), "--hardware", hw], "energy"
    msg = fails(capsys, argv)
    assert msg.startswith(f"{field}: ") and "at least one must be > 0" in msg


# --------------------------------------------------------------------------- one line
@pytest.mark.parametrize("argv, words", [
    (["run", "alexnet", "--batch", "four"], "--batch"),
    (["run", "alexnet", "--objective", "speed"], "--objective"),
    (["list", "bogus"], "what"),
    (["frobnicate"], "command"),
])
def test_argparse_errors_are_one_line(capsys, argv, words):
    msg = fails(capsys, argv)
    assert words in msg and "--help" in msg


def test_scalesim_config_errors_are_one_line(tmp_path, capsys):
    topology = write(tmp_path / "t.csv", "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, "
                                          "Channels, Num Filter, Strides,\nc1, 8, 8, 3, 3, 4, 8, 1,\n")
    config = write(tmp_path / "c.cfg", "no section header\nx = 1\n")
    msg = fails(capsys, ["import", "scalesim", topology, config, "-o", tmp_path / "out"])
    assert "malformed SCALE-Sim config" in msg and "c.cfg" in msg


def test_out_of_memory_is_one_line(tmp_path, capsys):
    """A PE array of 10^12 PEs: the cycle engine's per-PE counts do not fit in memory."""
    msg = fails(capsys, ["run", small_workload(tmp_path), "--engine", "cycle", "--array", "1000000x1000000"])
    assert msg.startswith("out of memory") and "--array" in msg


def test_compare_table_with_a_zero_energy_table():
    """An energy table of zeros (reachable from Python or a sweep's ``vary``) prints a table,
    with no ratio to the first dataflow, instead of dividing by zero."""
    from dataclasses import replace

    import accelsim
    from accelsim.report import compare_table
    from accelsim.spec.hardware import EnergyTable

    hw = accelsim.load_hardware("eyeriss")
    hw = replace(hw, energy=EnergyTable(mac=0, rf=0, noc=0, glb=0, dram=0))
    wl = accelsim.load_workload("alexnet").select(["conv5"])
    runs = accelsim.compare(wl, hw, ["rs", "osa"], batch=1)
    text = compare_table(runs)
    row = next(line for line in text.splitlines() if line.startswith("osa"))
    assert " - " in row and "0.000" in row


def test_python_api_refuses_layers_too_large_to_count():
    """The 2**50 limit holds for layers built in Python too, not only for files and options:
    a count past it would overflow int64 somewhere in the engines (negative energies)."""
    import pytest

    from accelsim.errors import SpecError
    from accelsim.spec.layer import MAX_COUNT, ConvLayer

    layer = ConvLayer(name="big", N=1, M=1024, C=1024, H=1026, W=1026, R=3, S=3)
    assert layer.macs * 64 < MAX_COUNT < layer.macs * 2**20
    layer.with_batch(64)  # within the limit
    with pytest.raises(SpecError) as info:
        layer.with_batch(2**20)
    assert info.value.field == "big" and "MACs" in str(info.value)
