/**
 * Log search over the `logs` table: by service, minimum severity, trace, text and time window,
 * newest first. The table keeps the record as JSON beside its trace id, span id and time, so the
 * other filters read the JSON; the time window (`logs_by_time`) or the trace id
 * (`logs_by_trace`) bounds the rows they look at.
 */
import type { DatabaseSync, SQLInputValue } from "node:sqlite";
import type { LogRecord } from "../span_model.ts";

/**
 * A record's severity number; a sender that set only the text (`severityNumber` 0) is read by
 * the text's level name, and a record with neither counts as 0.
 */
const SEVERITY = `CASE json_extract(data, '$.severityNumber') WHEN 0 THEN
  CASE upper(json_extract(data, '$.severityText'))
    WHEN 'TRACE' THEN 1 WHEN 'DEBUG' THEN 5 WHEN 'INFO' THEN 9 WHEN 'WARN' THEN 13
    WHEN 'WARNING' THEN 13 WHEN 'ERROR' THEN 17 WHEN 'FATAL' THEN 21 ELSE 0 END
  ELSE json_extract(data, '$.severityNumber') END`;

/** A log search; times in epoch microseconds. */
export interface LogQuery {
  service?: string;
  /** Records at this OTLP severity number or above (without a number: by their severity text). */
  minSeverity?: number;
  traceId?: string;
  /** Case-insensitive text looked for in the body and the attribute values. */
  text?: string;
  startUs?: number;
  endUs?: number;
  limit: number;
}

/** The store's log search. */
export interface LogQueries {
  /** Matching records, the newest first. */
  findLogs(query: LogQuery): LogRecord[];
}

/** Builds the log search over an open database. */
export function createLogQueries(db: DatabaseSync): LogQueries {
  return {
    findLogs(query) {
      const where: string[] = [];
      const params: SQLInputValue[] = [];
      const add = (clause: string, ...values: SQLInputValue[]) => {
        where.push(clause);
        params.push(...values);
      };
      if (query.traceId !== undefined) add("trace_id = ?", query.traceId.toLowerCase());
      if (query.startUs !== undefined) add("time_us >= ?", query.startUs);
      if (query.endUs !== undefined) add("time_us <= ?", query.endUs);
      if (query.service !== undefined) add("json_extract(data, '$.service') = ?", query.service);
      if (query.minSeverity !== undefined) add(`${SEVERITY} >= ?`, query.minSeverity);
      if (query.text !== undefined && query.text !== "") {
        // JSON text of the body and attributes: a value with quotes or non-ASCII characters is
        // escaped there, so look for the needle escaped the same way.
        const needle = JSON.stringify(query.text.toLowerCase()).slice(1, -1);
        add(
          "(instr(lower(json_extract(data, '$.body')), ?) > 0 OR " +
            "instr(lower(json_extract(data, '$.attributes')), ?) > 0)",
          needle,
          needle,
        );
      }
      const filter = where.length === 0 ? "" : `WHERE ${where.join(" AND ")}`;
      const rows = db.prepare(
        `SELECT data FROM logs ${filter} ORDER BY time_us DESC, rowid DESC LIMIT ?`,
      ).all(...params, query.limit) as { data: string }[];
      return rows.map((row) => JSON.parse(row.data) as LogRecord);
    },
  };
}
