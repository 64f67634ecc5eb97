"""``_parse_records_parallel``: the record parser on several threads over record-aligned
blocks, with the same results as the serial one."""

from __future__ import annotations

import numpy as np
from numba import prange

from ..._jit import kernel
from ._intrinsics import _move_in_row
from .boundaries import _count_quotes_lines, _next_record_start
from .codes import KIND_FLOAT, KIND_SKIP, KIND_STRING, ST_NEED_MORE
from .records import _parse_core

# Blocks smaller than this are not worth a thread (a caller's rule of thumb for nblocks).
MIN_PARALLEL_BLOCK = 1 << 16


@kernel(parallel=True)
def _parse_records_parallel(buf, n, is_final, delim, quote, escape, start_line,
                            field_kind, field_slot, field_notnull, int_min, int_max,
                            null_bytes, null_offs, ignore_errors, max_rows,
                            ivals, fvals, valid, soffs, sbytes, row_line, rej,
                            nblocks):  # fmt: skip
    """_parse_records on up to ``nblocks`` threads: same arguments (plus nblocks), same result.

    buf[:n] is cut into blocks at record starts (_find_block_starts' quote parity, counted in
    parallel together with the line breaks of each block). Every block is parsed by _parse_core
    straight into the caller's buffers, block b at row R[b] (the line breaks of the blocks
    before it, + 2 each, bound their records) and, for strings, at byte offset S[b] (a share of
    the free string room proportional to the block's length); then the blocks are moved down in
    order to close the gaps. A block is used only if it ended exactly at the next block's start
    and fits the caller's remaining capacity; from the first one that does not (an error, a
    full buffer or string share, a boundary that was not a real record start because of
    malformed quoting) the rest of the buffer is parsed serially. So results, statuses and the
    reported error (the earliest) are the same as _parse_records'. Blocks beyond the row
    capacity (sum of R) are left to the serial continuation: worth it when the batch capacity
    covers the read buffer (rows and string bytes) and blocks are >= MIN_PARALLEL_BLOCK bytes
    (the caller picks nblocks).
    """
    zero = np.int64(0)
    cap = min(max_rows, row_line.shape[0])
    rows = zero
    nrej = zero
    records = zero
    line = start_line
    consumed = zero
    resume = zero  # where the serial parse takes over
    finished = False
    nb = min(nblocks, n // 2)
    # (the block moves below need rows with unit strides, as arrays callers make have)
    flat = (ivals.strides[1] == 8 and fvals.strides[1] == 8 and valid.strides[1] == 1
            and sbytes.strides[1] == 1)  # fmt: skip
    if nb >= 2 and escape == quote and cap >= 2 and flat:
        # ---- block starts: per-block quote parities in parallel, then a prefix XOR ----
        counts = np.zeros(nb, np.int64)
        lines_n = np.zeros(nb, np.int64)
        for b in prange(nb):
            counts[b], lines_n[b] = _count_quotes_lines(buf, b * n // nb, (b + 1) * n // nb, n,
                                                        quote)  # fmt: skip
        parity = np.zeros(nb, np.int64)
        for b in range(1, nb):
            parity[b] = parity[b - 1] ^ (counts[b - 1] & 1)
        cand = np.zeros(nb, np.int64)
        skipped = np.zeros(nb, np.int64)  # line breaks between nominal start and block start
        for b in prange(1, nb):
            cand[b], skipped[b] = _next_record_start(buf, b * n // nb, n, quote, parity[b])
        starts = np.zeros(nb + 1, np.int64)
        bound = np.zeros(nb, np.int64)  # line breaks in each block: >= its records - 1
        m = 0
        acc = lines_n[0]
        for b in range(1, nb):
            if cand[b] < n and cand[b] > starts[m]:
                bound[m] = acc + skipped[b]
                m += 1
                starts[m] = cand[b]
                acc = -skipped[b]
            acc += lines_n[b]
        bound[m] = acc
        m += 1
        starts[m] = n

        # ---- where each block goes; how many blocks fit ----
        nint = 0
        nflt = 0
        nstr = 0
        for f in range(field_kind.shape[0]):
            kind = field_kind[f]
            if kind == KIND_STRING:
                nstr = max(nstr, field_slot[f] + 1)
            elif kind == KIND_FLOAT:
                nflt = max(nflt, field_slot[f] + 1)
            elif kind != KIND_SKIP:
                nint = max(nint, field_slot[f] + 1)
        cursor0 = np.zeros(nstr, np.int64)
        maxcur = 0
        for k in range(nstr):
            cursor0[k] = soffs[k, 0]
            maxcur = max(maxcur, cursor0[k])
        R = np.zeros(m + 1, np.int64)
        mp = 0  # blocks parsed in parallel
        for b in range(m):
            # + 2: the final record may lack a line break; and a gap, so that a block that runs
            # over its rows (and is not used) cannot touch the next block's first string offset.
            R[b + 1] = R[b] + bound[b] + 2
            if R[b + 1] > cap:
                break
            mp += 1
        # String bytes: block b >= 1 writes from base + S[b] up to base + S[b + 1], a share of
        # the free room proportional to its length (block 0 from the slots' own cursors);
        # a block whose strings outgrow its share stops, and the serial parse takes over.
        base = maxcur
        free = sbytes.shape[1] - base
        S = np.zeros(m + 1, np.int64)
        if mp >= 1:
            for b in range(1, mp + 1):
                S[b] = free * (starts[b] - starts[0]) // (starts[mp] - starts[0])
        if mp >= 2:
            for b in range(1, mp):
                for k in range(nstr):
                    soffs[k, R[b]] = base + S[b]

            # ---- parse the blocks in parallel, in place ----
            rej_t = np.empty((mp, rej.shape[0], rej.shape[1]), np.int64)
            res = np.empty((mp, 11), np.int64)
            for b in prange(mp):
                r = _parse_core(buf, starts[b], starts[b + 1], n, is_final, delim, quote, escape,
                                zero, field_kind, field_slot, field_notnull, int_min, int_max,
                                null_bytes, null_offs, ignore_errors, R[b + 1], R[b], zero,
                                ivals, fvals, valid, soffs, sbytes, row_line, rej_t[b],
                                base + S[b + 1])  # fmt: skip
                for j in range(11):
                    res[b, j] = r[j]

            # ---- keep the blocks the serial parse would have produced the same way ----
            rejcap = rej.shape[0]
            cur = cursor0.copy()
            nclean = 0
            nf = field_kind.shape[0]
            for b in range(mp):
                r0 = R[b]
                rows_b = res[b, 1] - r0
                nrej_b = res[b, 5]
                if res[b, 0] != ST_NEED_MORE or (b < m - 1 and res[b, 2] != starts[b + 1]):
                    break
                if rows + rows_b >= cap or (nrej_b > 0 and nrej + nrej_b >= rejcap):
                    break
                # close the gap: rows [r0, r0 + rows_b) move down to [rows, ...)
                if r0 != rows:
                    for f in range(nf):
                        if field_kind[f] != KIND_SKIP:
                            _move_in_row(valid, f, rows, r0, rows_b)
                    for k in range(nint):
                        _move_in_row(ivals, k, rows, r0, rows_b)
                    for k in range(nflt):
                        _move_in_row(fvals, k, rows, r0, rows_b)
                for i in range(rows_b):  # block lines count from 0
                    row_line[rows + i] = row_line[r0 + i] + line
                for k in range(nstr):
                    src = cursor0[k] if b == 0 else base + S[b]
                    nbytes = soffs[k, r0 + rows_b] - src
                    if src != cur[k]:
                        _move_in_row(sbytes, k, cur[k], src, nbytes)
                    for i in range(rows_b):
                        soffs[k, rows + i + 1] = soffs[k, r0 + i + 1] - src + cur[k]
                    cur[k] += nbytes
                for j in range(nrej_b):
                    for c in range(rej.shape[1]):
                        rej[nrej + j, c] = rej_t[b, j, c]
                    rej[nrej + j, 0] += line
                rows += rows_b
                nrej += nrej_b
                records += res[b, 4]
                line += res[b, 3]
                consumed = res[b, 2]
                nclean += 1
            for k in range(nstr):
                soffs[k, rows] = cur[k]
            if nclean == m:
                finished = True
            else:
                resume = starts[nclean]
    if finished:
        return (ST_NEED_MORE, rows, consumed, line - start_line, records, nrej,
                0, -1, 0, 0, 0)  # fmt: skip
    # ---- the rest (or everything) serially, continuing the batch ----
    r = _parse_core(buf, resume, n, n, is_final, delim, quote, escape, line,
                    field_kind, field_slot, field_notnull, int_min, int_max, null_bytes,
                    null_offs, ignore_errors, max_rows, rows, nrej, ivals, fvals, valid, soffs,
                    sbytes, row_line, rej, sbytes.shape[1])  # fmt: skip
    return (r[0], r[1], r[2], line - start_line + r[3], records + r[4], r[5], r[6], r[7], r[8],
            r[9], r[10])  # fmt: skip
