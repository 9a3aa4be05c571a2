package io.gpupool.controller.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class TraceReaderTest {

  private static Trace read(String csv) throws IOException {
    return TraceReader.read(new StringReader(csv), "test.csv");
  }

  private static TraceFormatException problems(String csv) {
    return catchThrowableOfType(TraceFormatException.class, () -> read(csv));
  }

  @Test
  void readsPhillyStyleAliasesAndIgnoresUnknownColumns() throws IOException {
    Trace trace =
        read(
            "job_id,submit_time,real_iteration,model_name,num_gpu,duration,user\n"
                + "7,12.5,100,vgg16,4,3600,alice\n");

    assertThat(trace.name()).isEqualTo("test.csv");
    assertThat(trace.jobs())
        .containsExactly(
            new TraceJob("7", 12_500, 4, 3_600_000, "vgg16", "", "alice", 0, Optional.empty(), 2));
  }

  @Test
  void readsEveryOptionalColumnByItsOwnName() throws IOException {
    Trace trace =
        read(
            "Name,Tenant,GPU_Type,Priority,Estimate,num_gpus,Submit_Time,Duration,job_id\n"
                + "bert,team-a,A100,-2,90.5,2,0,100,j1\n");

    assertThat(trace.jobs())
        .containsExactly(
            new TraceJob(
                "j1",
                0,
                2,
                100_000,
                "bert",
                "A100",
                "team-a",
                -2,
                Optional.of(Duration.ofMillis(90_500)),
                2));
  }

  @Test
  void optionalColumnsMayBeEmptyAndIdsDefaultToTheRowPosition() throws IOException {
    Trace trace = read("submit_time,num_gpus,duration,estimate,priority\n0,1,5,,\n\n1,2,6,,\n");

    assertThat(trace.jobs()).extracting(TraceJob::id).containsExactly("0", "1");
    assertThat(trace.jobs().get(0).estimate()).isEmpty();
    assertThat(trace.jobs().get(0).priority()).isZero();
    assertThat(trace.jobs().get(1).line()).isEqualTo(4);
  }

  @Test
  void sortsBySubmitTimeThenByJobIdNumerically() throws IOException {
    Trace trace =
        read(
            "job_id,submit_time,num_gpus,duration\n10,5,1,1\n9,5,1,1\nb,0,1,1\na,5,1,1\n2,7,1,1\n");

    assertThat(trace.jobs()).extracting(TraceJob::id).containsExactly("b", "9", "10", "a", "2");
  }

  @Test
  void readsQuotedFieldsWithCommasAndQuotes() throws IOException {
    Trace trace =
        read("job_id,submit_time,num_gpus,duration,name\n\"x,1\",0,1,1,\"say \"\"hi\"\"\"\n");

    assertThat(trace.jobs().get(0).id()).isEqualTo("x,1");
    assertThat(trace.jobs().get(0).name()).isEqualTo("say \"hi\"");
  }

  @Test
  void reportsEveryBadRowWithItsLineNumberAtOnce() {
    TraceFormatException e =
        problems(
            "job_id,submit_time,num_gpus,duration,estimate\n"
                + "1,0,1,10,\n"
                + "2,-1,0,abc,\n"
                + "3,0,1.5,10,0\n"
                + "4,0,1\n"
                + "1,5,1,10,\n"
                + ",5,1,10,\n"
                + "7,NaN,1,0.0001,\n");

    assertThat(e.trace()).isEqualTo("test.csv");
    assertThat(e.problems())
        .containsExactly(
            "line 3: submit_time must be a number of seconds of at least 0, got '-1'",
            "line 3: num_gpus must be a whole number of at least 1, got '0'",
            "line 3: duration must be a number of seconds greater than 0, got 'abc'",
            "line 4: num_gpus must be a whole number of at least 1, got '1.5'",
            "line 4: estimate must be a number of seconds greater than 0, got '0'",
            "line 5: has 3 fields but the header has 5",
            "line 6: job_id '1' is already used on line 2",
            "line 7: job_id is empty",
            "line 8: submit_time must be a number of seconds of at least 0, got 'NaN'",
            "line 8: duration 0.0001 is below the simulator's resolution of 0.001 s");
    assertThat(e.getMessage()).startsWith("trace test.csv has 10 problems:\n  line 3: ");
  }

  @Test
  void aHeaderWithoutTheRequiredColumnsIsReportedOnce() {
    TraceFormatException e = problems("job_id,start,gpus\n1,0,1\n2,0,1\n");

    assertThat(e.problems())
        .containsExactly(
            "line 1 (header): missing required column 'submit_time'",
            "line 1 (header): missing required column 'num_gpus' (or 'num_gpu')",
            "line 1 (header): missing required column 'duration'");
  }

  @Test
  void twoColumnsForOneFieldAreAProblem() {
    TraceFormatException e = problems("submit_time,num_gpus,num_gpu,duration\n0,1,1,1\n");

    assertThat(e.problems())
        .containsExactly(
            "line 1 (header): columns 'num_gpus' and 'num_gpu' mean the same; keep one");
  }

  @Test
  void anEmptyFileIsAProblem() {
    assertThat(problems("\n  \n").problems())
        .singleElement()
        .asString()
        .startsWith("the trace is empty");
  }

  @Test
  void anUnclosedQuoteIsAProblemOfItsLine() {
    assertThat(problems("submit_time,num_gpus,duration\n0,1,\"5\n").problems())
        .containsExactly("line 2: quote opened at column 5 is never closed");
  }

  @Test
  void theMessageListsAtMostFiftyProblemsButAllAreKept() {
    StringBuilder csv = new StringBuilder("submit_time,num_gpus,duration\n");
    for (int i = 0; i < 60; i++) {
      csv.append("0,0,1\n");
    }
    TraceFormatException e = problems(csv.toString());

    assertThat(e.problems()).hasSize(60);
    assertThat(e.getMessage()).endsWith("\n  ... and 10 more").contains("line 51:");
  }

  @Test
  void readsTheSampleTraceFile() throws Exception {
    Trace trace = TraceReader.read(samplePath());

    assertThat(trace.name()).isEqualTo("philly_vc103959_elasticflow.csv");
    assertThat(trace.jobs()).hasSize(876);
    assertThat(trace.jobs().get(0).id()).isEqualTo("0");
    assertThat(trace.jobs().get(0).name()).isEqualTo("vgg16");
    assertThat(trace.jobs()).extracting(TraceJob::gpus).containsOnly(1, 2, 4);
    long gpuSeconds =
        trace.jobs().stream().mapToLong(j -> j.gpus() * j.durationMillis() / 1000).sum();
    assertThat(gpuSeconds).isEqualTo(154_137_879L);
  }

  static Path samplePath() throws Exception {
    return Path.of(
        TraceReaderTest.class.getResource("/traces/philly_vc103959_elasticflow.csv").toURI());
  }
}
