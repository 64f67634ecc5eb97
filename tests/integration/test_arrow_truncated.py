"""A file that starts with Arrow's, Parquet's or NumPy's magic bytes but is no such file (found
by the fuzz test in tests/reliability: b'ARROW1' or b'PAR1' alone raised pyarrow's ArrowInvalid)
is a CsvError naming it, and the database is unchanged."""

from __future__ import annotations

import pytest

import ruzu
from tests.conftest import snapshot


@pytest.mark.parametrize("data", [b"ARROW1", b"ARROW1\x00\x00garbage", b"PAR1",
                                  b"PAR1\x00garbage\x00\x00PAR1", b"\x93NUMPY\x01\x00garbage"])
@pytest.mark.parametrize("ignore_errors", [False, True])
def test_truncated_arrow_input_is_a_csv_error(tmp_path, data, ignore_errors):
    pytest.importorskip("pyarrow")
    path = tmp_path / "in.csv"
    path.write_bytes(data)
    with ruzu.Database(tmp_path / "db") as db:
        db.create_node_table("Person", [("id", "INT64"), ("name", "STRING")], "id")
        before = snapshot(tmp_path / "db")
        with pytest.raises(ruzu.CsvError,
                           match="not a readable (Arrow IPC|Parquet|.npy) file") as e:
            db.import_nodes("Person", path, config=ruzu.CsvImportConfig(
                header=False, ignore_errors=ignore_errors))
        assert str(path) in str(e.value)
        assert snapshot(tmp_path / "db") == before
