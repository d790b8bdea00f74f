"""File input and output: the only part of accelsim that reads or writes files.

Modules (imported on use, nothing is loaded here):

``yamlfile``
    YAML parsing (ruamel.yaml, safe loader, YAML 1.2) with line/column errors.
``schema``
    The file formats (pydantic models, unknown keys forbidden, strict integers) and their
    conversion to spec objects; errors name the offending field's path.
``presets``
    ``load_workload``, ``load_hardware``, ``load_energy``, ``load_mapping``, ``list_presets``:
    by preset name (the YAML files in ``workloads/``) or file path.
``results``
    ``write_json``, ``write_csv``, ``read_json``, ``write_trace`` for result documents.
``sweepfile``
    The sweep file format (``load_sweep``).
``sweepstore``
    ``records.csv`` / ``components.csv`` of a sweep: streamed appends, repair and resume.
``onnx_import``
    Workloads from ONNX models (shape inference only; needs the ``onnx`` extra).
"""
