package io.gpupool.controller.sim;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a job trace from CSV with a header line.
 *
 * <p>Columns, in any order, names case-insensitive; unknown columns are ignored:
 *
 * <ul>
 *   <li>required: {@code submit_time} (seconds from the trace start, at least 0), {@code num_gpus}
 *       or {@code num_gpu} (a whole number, at least 1), {@code duration} (seconds, more than 0);
 *   <li>optional: {@code job_id} (default: the row's position, from 0), {@code name} or {@code
 *       model_name}, {@code gpu_type}, {@code tenant} or {@code user}, {@code priority} (a whole
 *       number, default 0), {@code estimate} (seconds, more than 0; the user's run-time estimate).
 * </ul>
 *
 * <p>Times are kept to the millisecond. Fields may be quoted as in RFC 4180 (without line breaks
 * inside quotes); blank lines are skipped. Every problem in the file is collected and reported at
 * once in a {@link TraceFormatException}, with its line number: no row is dropped silently.
 *
 * <p>Stateless and thread-safe.
 */
public final class TraceReader {
  /** The largest time the reader accepts, in seconds (about 31,700 years). */
  static final double MAX_SECONDS = 1e12;

  private static final String SUBMIT = "submit_time";
  private static final String DURATION = "duration";
  private static final String GPUS = "num_gpus";
  private static final String JOB_ID = "job_id";
  private static final String NAME = "name";
  private static final String GPU_TYPE = "gpu_type";
  private static final String TENANT = "tenant";
  private static final String PRIORITY = "priority";
  private static final String ESTIMATE = "estimate";

  /** Column name in the file, lower-cased, to the field it fills. */
  private static final Map<String, String> FIELD_BY_COLUMN =
      Map.ofEntries(
          Map.entry(SUBMIT, SUBMIT),
          Map.entry(DURATION, DURATION),
          Map.entry(GPUS, GPUS),
          Map.entry("num_gpu", GPUS),
          Map.entry(JOB_ID, JOB_ID),
          Map.entry(NAME, NAME),
          Map.entry("model_name", NAME),
          Map.entry(GPU_TYPE, GPU_TYPE),
          Map.entry(TENANT, TENANT),
          Map.entry("user", TENANT),
          Map.entry(PRIORITY, PRIORITY),
          Map.entry(ESTIMATE, ESTIMATE));

  private TraceReader() {}

  /**
   * Reads a trace file (UTF-8), named after its file name in reports.
   *
   * @throws IOException if the file cannot be read
   * @throws TraceFormatException listing every problem, if the header or any row is bad
   */
  public static Trace read(Path file) throws IOException {
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      Path fileName = file.getFileName();
      return read(reader, fileName == null ? file.toString() : fileName.toString());
    }
  }

  /**
   * Reads a trace from {@code reader}, which is not closed.
   *
   * @param name what reports and messages call the trace
   * @throws IOException if reading fails
   * @throws TraceFormatException listing every problem, if the header or any row is bad
   */
  public static Trace read(Reader reader, String name) throws IOException {
    BufferedReader lines =
        reader instanceof BufferedReader buffered ? buffered : new BufferedReader(reader);
    List<String> problems = new ArrayList<>();
    int lineNumber = 0;
    String line;
    Header header = null;
    while (header == null && (line = lines.readLine()) != null) {
      lineNumber++;
      if (lineNumber == 1 && line.startsWith("\uFEFF")) {
        line = line.substring(1);
      }
      if (!line.isBlank()) {
        header = Header.parse(line, lineNumber, problems);
      }
    }
    if (header == null) {
      throw new TraceFormatException(
          name,
          List.of(
              "the trace is empty: expected a header line naming at least "
                  + SUBMIT
                  + ", num_gpus (or num_gpu) and "
                  + DURATION));
    }
    if (!problems.isEmpty()) {
      // Without the columns, every row would repeat the same complaint.
      throw new TraceFormatException(name, problems);
    }
    List<TraceJob> jobs = new ArrayList<>();
    Map<String, Integer> lineById = new HashMap<>();
    int row = 0;
    while ((line = lines.readLine()) != null) {
      lineNumber++;
      if (line.isBlank()) {
        continue;
      }
      List<String> rowProblems = new ArrayList<>();
      TraceJob job = header.job(line, lineNumber, row, rowProblems);
      if (job != null) {
        Integer first = lineById.putIfAbsent(job.id(), lineNumber);
        if (first != null) {
          rowProblems.add("job_id '" + job.id() + "' is already used on line " + first);
        } else {
          jobs.add(job);
        }
      }
      for (String problem : rowProblems) {
        problems.add("line " + lineNumber + ": " + problem);
      }
      row++;
    }
    if (!problems.isEmpty()) {
      throw new TraceFormatException(name, problems);
    }
    return new Trace(name, jobs);
  }

  /** Where each known field sits in a row. */
  private static final class Header {
    private final Map<String, Integer> indexByField;
    private final int columns;

    private Header(Map<String, Integer> indexByField, int columns) {
      this.indexByField = indexByField;
      this.columns = columns;
    }

    static Header parse(String line, int lineNumber, List<String> problems) {
      List<String> names = new ArrayList<>();
      String error = Csv.split(line, names);
      if (error != null) {
        problems.add("line " + lineNumber + " (header): " + error);
        return new Header(Map.of(), 0);
      }
      Map<String, Integer> indexByField = new HashMap<>();
      Map<String, String> columnByField = new HashMap<>();
      for (int i = 0; i < names.size(); i++) {
        String column = names.get(i).trim().toLowerCase(Locale.ROOT);
        String field = FIELD_BY_COLUMN.get(column);
        if (field == null) {
          continue;
        }
        String earlier = columnByField.putIfAbsent(field, column);
        if (earlier != null) {
          problems.add(
              "line "
                  + lineNumber
                  + " (header): "
                  + (earlier.equals(column)
                      ? "column '" + column + "' appears twice"
                      : "columns '" + earlier + "' and '" + column + "' mean the same; keep one"));
        } else {
          indexByField.put(field, i);
        }
      }
      for (String required : List.of(SUBMIT, GPUS, DURATION)) {
        if (!indexByField.containsKey(required)) {
          problems.add(
              "line "
                  + lineNumber
                  + " (header): missing required column '"
                  + required
                  + "'"
                  + (required.equals(GPUS) ? " (or 'num_gpu')" : ""));
        }
      }
      return new Header(indexByField, names.size());
    }

    /** The job on this row, or null with the reasons added to {@code problems}. */
    TraceJob job(String line, int lineNumber, int row, List<String> problems) {
      List<String> fields = new ArrayList<>();
      String error = Csv.split(line, fields);
      if (error != null) {
        problems.add(error);
        return null;
      }
      if (fields.size() != columns) {
        problems.add("has " + fields.size() + " fields but the header has " + columns);
        return null;
      }
      Row r = new Row(fields, problems);
      String id = indexByField.containsKey(JOB_ID) ? r.text(JOB_ID, true) : Integer.toString(row);
      Long submit = r.millis(SUBMIT, true, false);
      Integer gpus = r.whole(GPUS, true, 1);
      Long duration = r.millis(DURATION, true, true);
      String name = r.text(NAME, false);
      String gpuType = r.text(GPU_TYPE, false);
      String tenant = r.text(TENANT, false);
      Integer priority = r.whole(PRIORITY, false, Integer.MIN_VALUE);
      Long estimate = r.millis(ESTIMATE, false, true);
      if (!problems.isEmpty()) {
        return null;
      }
      return new TraceJob(
          id,
          submit,
          gpus,
          duration,
          name,
          gpuType,
          tenant,
          priority == null ? 0 : priority,
          estimate == null ? Optional.empty() : Optional.of(Duration.ofMillis(estimate)),
          lineNumber);
    }

    /** The fields of one row, read by field name; each bad value adds a problem. */
    private final class Row {
      private final List<String> fields;
      private final List<String> problems;

      Row(List<String> fields, List<String> problems) {
        this.fields = fields;
        this.problems = problems;
      }

      /** The trimmed value, "" when the column is absent; null (and a problem) if required. */
      String text(String field, boolean required) {
        Integer index = indexByField.get(field);
        String value = index == null ? "" : fields.get(index).trim();
        if (value.isEmpty() && required) {
          problems.add(field + " is empty");
          return null;
        }
        return value;
      }

      Long millis(String field, boolean required, boolean positive) {
        String value = text(field, required);
        if (value == null || value.isEmpty()) {
          return null;
        }
        String expected =
            field
                + " must be a number of seconds "
                + (positive ? "greater than 0" : "of at least 0")
                + ", got '"
                + value
                + "'";
        double seconds;
        try {
          seconds = Double.parseDouble(value);
        } catch (NumberFormatException e) {
          problems.add(expected);
          return null;
        }
        if (!Double.isFinite(seconds) || seconds < 0 || (positive && seconds <= 0)) {
          problems.add(expected);
          return null;
        }
        if (seconds > MAX_SECONDS) {
          problems.add(field + " " + value + " is too large (at most " + MAX_SECONDS + " s)");
          return null;
        }
        long millis = Math.round(seconds * 1000);
        if (positive && millis < 1) {
          problems.add(field + " " + value + " is below the simulator's resolution of 0.001 s");
          return null;
        }
        return millis;
      }

      Integer whole(String field, boolean required, int min) {
        String value = text(field, required);
        if (value == null || value.isEmpty()) {
          return null;
        }
        String expected =
            field
                + " must be a whole number"
                + (min == Integer.MIN_VALUE ? "" : " of at least " + min)
                + ", got '"
                + value
                + "'";
        try {
          int parsed = Integer.parseInt(value);
          if (parsed < min) {
            problems.add(expected);
            return null;
          }
          return parsed;
        } catch (NumberFormatException e) {
          problems.add(expected);
          return null;
        }
      }
    }
  }

  /** Splits one CSV line (RFC 4180 quoting, no line breaks inside quotes). */
  private static final class Csv {
    private Csv() {}

    /**
     * Adds the fields of {@code line} to {@code out}; returns an error, or null when well-formed.
     */
    static String split(String line, List<String> out) {
      StringBuilder field = new StringBuilder();
      int i = 0;
      while (true) {
        field.setLength(0);
        if (i < line.length() && line.charAt(i) == '"') {
          int open = i;
          i++;
          while (true) {
            if (i >= line.length()) {
              return "quote opened at column " + (open + 1) + " is never closed";
            }
            char c = line.charAt(i);
            if (c == '"') {
              if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                field.append('"');
                i += 2;
                continue;
              }
              i++;
              break;
            }
            field.append(c);
            i++;
          }
          if (i < line.length() && line.charAt(i) != ',') {
            return "unexpected text after the quoted field at column " + (open + 1);
          }
        } else {
          while (i < line.length() && line.charAt(i) != ',') {
            field.append(line.charAt(i));
            i++;
          }
        }
        out.add(field.toString());
        if (i >= line.length()) {
          return null;
        }
        i++; // the comma
      }
    }
  }
}
