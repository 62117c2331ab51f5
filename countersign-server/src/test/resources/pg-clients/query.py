# psycopg2 through the Countersign proxy: python3 query.py PORT USER PASSWORD SQL [PARAM...]
# Prints one JSON line: {rows, rowCount, notices} or {error: SQLSTATE, message, notices}.
import json
import sys

import psycopg2

port, user, password, sql = sys.argv[1:5]
params = sys.argv[5:]
try:
    conn = psycopg2.connect(host="127.0.0.1", port=int(port), user=user, password=password, dbname="app")
except psycopg2.Error as e:
    print(json.dumps({"error": "connect", "message": str(e)}))
    sys.exit(2)
cur = conn.cursor()
try:
    cur.execute(sql, params or None)
    rows = ["|".join(str(v) for v in row) for row in cur.fetchall()] if cur.description else []
    conn.commit()
    print(json.dumps({"rows": rows, "rowCount": cur.rowcount, "notices": conn.notices}))
except psycopg2.Error as e:
    print(json.dumps({"error": e.pgcode, "message": str(e), "notices": conn.notices}))
conn.close()
