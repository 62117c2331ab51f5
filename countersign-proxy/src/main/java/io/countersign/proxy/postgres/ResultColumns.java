package io.countersign.proxy.postgres;

import java.util.ArrayList;
import java.util.List;

/**
 * The columns of one result as a RowDescription describes them: each one's label (its name or
 * alias), the table it was read from and its attribute number there (0 and 0 for a computed
 * column), and its type.
 */
record ResultColumns(List<Column> columns) {
    /** What a NoData answer describes: a statement that returns no rows. */
    static final ResultColumns NONE = new ResultColumns(List.of());

    ResultColumns {
        columns = List.copyOf(columns);
    }

    /** One column; {@code table} is the table's OID as an unsigned number, 0 when the column is computed. */
    record Column(String label, long table, int attribute, int type) {
        boolean computed() {
            return table == 0 || attribute == 0;
        }
    }

    /** Reads a RowDescription ('T') body. */
    static ResultColumns of(byte[] rowDescription) throws ProtocolViolation {
        Wire.Reader reader = new Wire.Reader(rowDescription);
        int count = reader.int16();
        List<Column> columns = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String label = reader.cstring();
            long table = Integer.toUnsignedLong(reader.int32());
            // The attribute number is a signed int16: system columns (ctid, xmin) are negative.
            int attribute = (short) reader.int16();
            int type = reader.int32();
            reader.int16(); // type length
            reader.int32(); // type modifier
            reader.int16(); // format
            columns.add(new Column(label, table, attribute, type));
        }
        reader.end();
        return new ResultColumns(columns);
    }
}
