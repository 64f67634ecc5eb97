"""Every Kùzu column type, CSV → database → Python, against Kùzu 0.11.3 on the same file."""

from __future__ import annotations

import pytest

from tests.coltypes.kuzu_oracle import kuzu_dump, ruzu_dump
from tests.conftest import write

CASES = {
    "int_lists": (
        "id INT64, l INT64[], s INT16[], d DOUBLE[], b BOOLEAN[]",
        '1,"[1,2,3]","[ -4 , 5 ]","[1.5,2e3]","[true,false]"\n'
        '2,"[]","[ ]","[,]","[T]"\n'
        "3,,,,\n"
        '4,"[1,2,]","[null, 7]","[ NULL ]","[1,0]"\n',
    ),
    "string_lists": (
        "id INT64, s STRING[]",
        '1,"[\'a,b\', c, ""d"" ,,null]"\n2,"[]"\n3,"[ x y , z ]"\n4,\n5,"[[a], {b}]"\n',
    ),
    "nested_lists": (
        "id INT64, l INT64[][], s STRING[][]",
        '1,"[[10,8],[6,7,8]]","[[a],[b,c]]"\n2,"[[],[1],,[2,3]]","[]"\n3,"[]",\n',
    ),
    "arrays": (
        "id INT64, a INT64[4], f FLOAT[2], s STRING[2]",
        '1,"[96,54,86,92]","[1.5, 2]","[a,b]"\n2,,,\n3,"[1,2,3,4]","[,]","[x,]"\n',
    ),
    "dates_in_lists": (
        "id INT64, d DATE[], t TIMESTAMP[]",
        '1,"[2020-01-01, 1900-02-28]","[2011-08-20 11:25:30]"\n2,"[]","[]"\n',
    ),
    "uuid": (
        "id INT64, u UUID",
        "1,A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11\n2,{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12}\n"
        "3,\n4,a0eebc999c0b4ef8bb6d6bb9bd380a13\n5,a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a14\n",
    ),
    "blob": (
        "id INT64, b BLOB",
        "1,\\xAA\\xBB\\xCD\n2,abc\\x00d\n3,\n4,\\x0a plain \\x7F\n",
    ),
    "interval": (
        "id INT64, i INTERVAL",
        "1,3 years 2 days 13 hours 2 minutes\n2,10 years 5 months 13 hours 24 us\n3,\n"
        "4,48 hours 52 milliseconds\n5,1 week 2 decades\n6,2 mons 3 secs\n7,1:02:03\n"
        "8,1 day 04:05:06.5\n9,@ 1 year\n10,1.5 days\n11,1.25 hours\n",
    ),
    "struct": (
        "id INT64, s STRUCT(a INT64, b STRING, c INT64[])",
        '1,"{a: 1, b: \'x y\', c: [1,2]}"\n2,"{}"\n3,\n4,"{B: 5}"\n5,"{c: [], a: -3}"\n'
        '6,"{\'a\': 7, b: \'\'}"\n',
    ),
    "nested_struct": (
        "id INT64, s STRUCT(revenue INT16, location STRING[], stock STRUCT(price INT64[], "
        "volume INT64))",
        '1,"{revenue: 138, location: [\'toronto\', \'montr,eal\'], stock: {price: [96, 56], '
        'volume: 1000}}"\n2,"{revenue: 152, location: [\'vancouver\'], stock: {price: [15, 78, '
        '671], volume: 432}}"\n3,\n',
    ),
    "map": (
        "id INT64, m MAP(STRING, INT64), n MAP(INT64, STRING[])",
        '1,"{k1=1, \'k2\'=2}","{1=[a,b], 2=[]}"\n2,"{}","{}"\n3,,\n4,"{x=}","{7=}"\n',
    ),
    "decimal": (
        "id INT64, d DECIMAL(10, 2), e DECIMAL(38, 5), f DECIMAL(4, 0)",
        "1,1.25,123456789012345678901234567890.12345,12\n2,-0.5,0,-9999\n3,,,\n"
        "4,3.14159,1000,1.5\n5,7,.5,0.4\n6,3.145,5.,-1.5\n7,99.99, 5,0.5\n",
    ),
    "int128": (
        "id INT64, h INT128",
        # (Kùzu's Python API turns INT128 into a Decimal through 28-digit arithmetic, so
        # values beyond 28 digits are compared with Python ints in test_storage.py)
        "1,1701411834604692317316873037\n2,-1701411834604692317316873037\n3,\n4,0\n5,-1\n"
        "6, 5 \n",
    ),
    "timestamps": (
        "id INT64, ns TIMESTAMP_NS, ms TIMESTAMP_MS, sec TIMESTAMP_SEC, tz TIMESTAMP_TZ",
        "1,2011-08-20 11:25:30.123456789,2011-08-20 11:25:30.123,2011-08-20 11:25:30,"
        "2011-08-20 11:25:30Z+00:00\n2,,,,\n3,1970-01-01,1970-01-01,1970-01-01,"
        "2008-11-03 13:25:30.000526-02:00\n",
    ),
    "union": (
        "id INT64, u UNION(price FLOAT, movein DATE, note STRING)",
        "1,3.5\n2,2021-01-01\n3,hello\n4,\n",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_values_as_kuzu(tmp_path, name):
    columns, text = CASES[name]
    path = write(tmp_path / "t.csv", text)
    schema = f"CREATE NODE TABLE T({columns}, PRIMARY KEY(id))"
    copies = [f'COPY T FROM "{path}"']
    expected = kuzu_dump(schema, copies)
    assert expected and expected[0] != "error", expected
    assert ruzu_dump(tmp_path / "db", schema, copies) == expected


def test_serial_numbers_rows_and_continues_on_append(tmp_path):
    a = write(tmp_path / "a.csv", "x\ny\nz\n")
    b = write(tmp_path / "b.csv", "w\nv\n")
    schema = "CREATE NODE TABLE T(id SERIAL, name STRING, PRIMARY KEY(id))"
    copies = [f'COPY T FROM "{a}"', f'COPY T FROM "{b}"']
    expected = kuzu_dump(schema, copies)
    assert expected == [[0, "x"], [1, "y"], [2, "z"], [3, "w"], [4, "v"]]
    assert ruzu_dump(tmp_path / "db", schema, copies) == expected


def test_serial_not_primary_key(tmp_path):
    a = write(tmp_path / "a.csv", "k1,1\nk2,2\n")
    schema = "CREATE NODE TABLE T(name STRING, s SERIAL, v INT64, PRIMARY KEY(name))"
    copies = [f'COPY T FROM "{a}"']
    expected = kuzu_dump(schema, copies, order="name")
    assert ruzu_dump(tmp_path / "db", schema, copies, order="name") == expected


BAD = {
    "array_length": ("a INT64[3]", '"[1,2]"'),
    "unclosed_list": ("l INT64[]", '"[1,2"'),
    "bad_element": ("l INT64[]", '"[1,x]"'),
    "bad_uuid": ("u UUID", "a0eebc99-9c0b"),
    "bad_blob_escape": ("b BLOB", "\\xZZ"),
    "bad_interval": ("i INTERVAL", "3 parsecs"),
    "struct_unknown_field": ("s STRUCT(a INT64)", '"{z: 1}"'),
    "map_duplicate_key": ("m MAP(STRING, INT64)", '"{a=1, a=2}"'),
    "map_null_key": ("m MAP(STRING, INT64)", '"{=1}"'),
    "decimal_overflow": ("d DECIMAL(3, 1)", "123.4"),
    "int128_overflow": ("h INT128", "170141183460469231731687303715884105728"),
    "list_not_a_list": ("l INT64[]", "5"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_values_refused_like_kuzu(tmp_path, name):
    column, value = BAD[name]
    path = write(tmp_path / "t.csv", f"1,{value}\n")
    schema = f"CREATE NODE TABLE T(id INT64, {column}, PRIMARY KEY(id))"
    copies = [f'COPY T FROM "{path}" (HEADER=false)']
    expected = kuzu_dump(schema, copies)
    assert expected[0] == "error", expected
    got = ruzu_dump(tmp_path / "db", schema, copies)
    assert got[0] == "error", got
    assert f"{path}:1:2 ({column.split()[0]}): " in got[1]
    assert "Record: '1," in got[1]
