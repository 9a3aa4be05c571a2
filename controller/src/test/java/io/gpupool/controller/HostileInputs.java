package io.gpupool.controller;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Duration;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import io.gpupool.proto.v1.AgentHello;
import io.gpupool.proto.v1.CommandWorkload;
import io.gpupool.proto.v1.CudaKernelWorkload;
import io.gpupool.proto.v1.DeviceBuffer;
import io.gpupool.proto.v1.DeviceInfo;
import io.gpupool.proto.v1.DeviceStatus;
import io.gpupool.proto.v1.DiagnosticWorkload;
import io.gpupool.proto.v1.Dim3;
import io.gpupool.proto.v1.GpuProcess;
import io.gpupool.proto.v1.Heartbeat;
import io.gpupool.proto.v1.KernelArgument;
import io.gpupool.proto.v1.LogLine;
import io.gpupool.proto.v1.Progress;
import io.gpupool.proto.v1.RegisterRequest;
import io.gpupool.proto.v1.Resources;
import io.gpupool.proto.v1.SchedulingHints;
import io.gpupool.proto.v1.SubmitTaskRequest;
import io.gpupool.proto.v1.TaskEnded;
import io.gpupool.proto.v1.TaskLogs;
import io.gpupool.proto.v1.TaskResult;
import io.gpupool.proto.v1.TaskSpec;
import io.gpupool.proto.v1.TaskStarted;
import io.gpupool.proto.v1.TaskUpdate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Generators of hostile input for the fuzz suite: strings with NUL, lone surrogates and sizes
 * around and far past every limit, extreme numbers, valid messages with fields set to such values,
 * and raw bytes that do not parse (truncated, invalid UTF-8, wrong wire types, deep nesting).
 */
final class HostileInputs {
  static final String PTX =
      ".version 8.0\n.target sm_90\n.address_size 64\n.visible .entry k(.param .u64 p)\n{ ret; }\n";

  private HostileInputs() {}

  /** Strings of every kind a limit or a C API could trip over. */
  static Arbitrary<String> strings() {
    return Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.strings().ofMaxLength(20)),
        // Any character but lone surrogates, which no client can encode (raw invalid UTF-8 is sent
        // by malformed()).
        Tuple.of(
            3,
            Arbitraries.strings()
                .withCharRange('\u0000', '\uD7FF')
                .withCharRange('\uE000', '\uFFFF')
                .ofMaxLength(40)),
        Tuple.of(1, Arbitraries.of("\uD83D\uDE00", "\uD83D\uDE00".repeat(100))),
        Tuple.of(2, Arbitraries.of("", " ", "\0", "a\0b", "t-1", "t-2", "..", "/")),
        Tuple.of(
            2,
            Arbitraries.of('a', '\0', 'é', '\uFFFF', '=')
                .flatMap(
                    c ->
                        Arbitraries.of(64, 65, 128, 129, 253, 254, 1025, 5000, 140_000)
                            .map(n -> String.valueOf(c).repeat(n)))),
        Tuple.of(1, Arbitraries.just("x".repeat(300_000))));
  }

  static Arbitrary<Integer> ints() {
    return Arbitraries.frequencyOf(
        Tuple.of(3, Arbitraries.integers().between(-2, 70)),
        Tuple.of(2, Arbitraries.integers()),
        Tuple.of(1, Arbitraries.of(Integer.MIN_VALUE, Integer.MAX_VALUE, 1000, 1001, 1 << 20)));
  }

  static Arbitrary<Long> longs() {
    return Arbitraries.frequencyOf(
        Tuple.of(2, Arbitraries.longs().between(-2, 1L << 40)),
        Tuple.of(2, Arbitraries.longs()),
        Tuple.of(1, Arbitraries.of(Long.MIN_VALUE, Long.MAX_VALUE, 1L << 44, -1L)));
  }

  static Arbitrary<Double> doubles() {
    return Arbitraries.frequencyOf(
        Tuple.of(2, Arbitraries.doubles().between(-1, 2)),
        Tuple.of(
            1,
            Arbitraries.of(
                Double.NaN,
                Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY,
                Double.MAX_VALUE,
                -0.0)));
  }

  static Arbitrary<Duration> durations() {
    return Combinators.combine(longs(), ints())
        .as((seconds, nanos) -> Duration.newBuilder().setSeconds(seconds).setNanos(nanos).build());
  }

  static Arbitrary<Timestamp> timestamps() {
    return Combinators.combine(longs(), ints())
        .as((seconds, nanos) -> Timestamp.newBuilder().setSeconds(seconds).setNanos(nanos).build());
  }

  /** A valid submit with one to six fields set to hostile values. */
  static Arbitrary<SubmitTaskRequest> submits() {
    return Combinators.combine(specMutations().list().ofMinSize(1).ofMaxSize(6), strings())
        .as(
            (mutations, requestId) -> {
              TaskSpec.Builder spec =
                  TaskSpec.newBuilder()
                      .setName("fuzz")
                      .setCommand(CommandWorkload.newBuilder().addArgv("true"))
                      .setResources(Resources.newBuilder().setGpus(1));
              mutations.forEach(m -> m.accept(spec));
              return SubmitTaskRequest.newBuilder()
                  .setSpec(spec)
                  .setRequestId(requestId.length() < 200 ? "" : requestId)
                  .build();
            });
  }

  private static Arbitrary<Consumer<TaskSpec.Builder>> specMutations() {
    return Arbitraries.oneOf(
        strings().map(s -> b -> b.setName(s)),
        strings().map(s -> b -> b.setTenant(s)),
        strings().map(s -> b -> b.putLabels(s, s)),
        Arbitraries.integers().between(0, 200).map(n -> b -> labels(b, n)),
        strings().map(s -> b -> b.setCommand(b.getCommand().toBuilder().addArgv(s))),
        strings()
            .map(
                s ->
                    b -> {
                      CommandWorkload.Builder command = b.getCommand().toBuilder().clearArgv();
                      b.setCommand(command.addArgv(s).addAllArgv(b.getCommand().getArgvList()));
                    }),
        Arbitraries.of(4097, 20_000)
            .map(
                n ->
                    b ->
                        b.setCommand(
                            b.getCommand().toBuilder()
                                .addAllArgv(java.util.Collections.nCopies(n, "a")))),
        strings().map(s -> b -> b.setCommand(b.getCommand().toBuilder().putEnv(s, s))),
        strings().map(s -> b -> b.setCommand(b.getCommand().toBuilder().putEnv("K", s))),
        strings().map(s -> b -> b.setCommand(b.getCommand().toBuilder().setWorkingDir(s))),
        ints().map(n -> b -> b.setResources(b.getResources().toBuilder().setGpus(n))),
        ints().map(n -> b -> b.setGangSize(n)),
        ints().map(n -> b -> b.setPriority(n)),
        longs().map(n -> b -> b.setResources(b.getResources().toBuilder().setGpuMemoryBytes(n))),
        longs().map(n -> b -> b.setResources(b.getResources().toBuilder().setMinGpuMemoryBytes(n))),
        strings().map(s -> b -> b.setResources(b.getResources().toBuilder().setGpuModel(s))),
        strings().map(s -> b -> b.setResources(b.getResources().toBuilder().setNode(s))),
        strings().map(s -> b -> b.setResources(b.getResources().toBuilder().putNodeSelector(s, s))),
        ints()
            .list()
            .ofMaxSize(5)
            .map(l -> b -> b.setResources(b.getResources().toBuilder().addAllDeviceIndices(l))),
        durations().map(d -> b -> b.setMaxRuntime(d)),
        durations().map(d -> b -> b.setRuntimeEstimate(d)),
        durations().map(d -> b -> b.setKillGracePeriod(d)),
        doubles()
            .map(
                x ->
                    b ->
                        b.setHints(
                            SchedulingHints.newBuilder()
                                .setComputeIntensity(x)
                                .setMemoryNeed(x)
                                .setTimeSensitivity(x))),
        kernels().map(k -> b -> b.setCudaKernel(k)),
        ints()
            .list()
            .ofMaxSize(4)
            .map(l -> b -> b.setDiagnostic(DiagnosticWorkload.newBuilder().addAllChecksValue(l))),
        Arbitraries.just(b -> b.clearWorkload()),
        Arbitraries.just(b -> b.clearResources()));
  }

  private static void labels(TaskSpec.Builder spec, int count) {
    for (int i = 0; i < count; i++) {
      spec.putLabels("k" + i, "v");
    }
  }

  private static Arbitrary<CudaKernelWorkload> kernels() {
    Arbitrary<KernelArgument> argument =
        Arbitraries.oneOf(
            ints().map(n -> KernelArgument.newBuilder().setInt32Value(n).build()),
            longs()
                .map(
                    n ->
                        KernelArgument.newBuilder()
                            .setBuffer(DeviceBuffer.newBuilder().setSizeBytes(n).setFillByte(300))
                            .build()),
            Arbitraries.just(KernelArgument.getDefaultInstance()));
    Arbitrary<String> ptx =
        Arbitraries.oneOf(
            Arbitraries.just(PTX),
            strings(),
            Arbitraries.just("/* ".repeat(20_000)),
            Arbitraries.just("\n".repeat(200_000) + PTX),
            Arbitraries.just(PTX + "\0"),
            Arbitraries.just(PTX + "x".repeat(1 << 20)));
    return Combinators.combine(
            ptx, strings(), ints(), ints(), ints(), argument.list().ofMaxSize(40))
        .as(
            (text, name, x, y, shared, arguments) ->
                CudaKernelWorkload.newBuilder()
                    .setPtx(text)
                    .setKernel(name.isEmpty() ? "k" : name)
                    .setGrid(Dim3.newBuilder().setX(x).setY(y))
                    .setBlock(Dim3.newBuilder().setX(y).setZ(x))
                    .setSharedMemoryBytes(shared)
                    .addAllArguments(arguments)
                    .build());
  }

  /** A registration with the right token and one to four hostile fields. */
  static Arbitrary<RegisterRequest> registrations(String joinToken) {
    Arbitrary<DeviceInfo> device =
        Combinators.combine(ints(), strings(), longs(), doubles(), ints())
            .as(
                (index, text, memory, watts, sms) ->
                    DeviceInfo.newBuilder()
                        .setIndex(index)
                        .setUuid(text.isEmpty() ? "GPU-x" : text)
                        .setModel(text)
                        .setMemoryTotalBytes(memory)
                        .setPowerLimitWatts(watts)
                        .setMultiprocessorCount(sms)
                        .setPciBusId(text)
                        .build());
    Arbitrary<Consumer<RegisterRequest.Builder>> mutation =
        Arbitraries.oneOf(
            strings().map(s -> b -> b.setNodeId(s)),
            strings().map(s -> b -> b.setNodeName(s)),
            strings().map(s -> b -> b.setAgentVersion(s)),
            strings().map(s -> b -> b.setDriverVersion(s)),
            strings().map(s -> b -> b.putLabels(s, s)),
            device.list().ofMaxSize(70).map(l -> b -> b.addAllDevices(l)),
            strings().map(s -> b -> b.setJoinToken(s)));
    return Combinators.combine(
            Arbitraries.strings().alpha().ofLength(12), mutation.list().ofMinSize(1).ofMaxSize(4))
        .as(
            (id, mutations) -> {
              RegisterRequest.Builder request =
                  RegisterRequest.newBuilder()
                      .setJoinToken(joinToken)
                      .setNodeId("fz-" + id)
                      .setNodeName("fuzz")
                      .addDevices(DeviceInfo.newBuilder().setIndex(0).setUuid("GPU-fz"));
              mutations.forEach(m -> m.accept(request));
              return request.build();
            });
  }

  /** Heartbeats with too many devices, processes or words, unhealthy GPUs and odd numbers. */
  static Arbitrary<Heartbeat> heartbeats() {
    Arbitrary<DeviceStatus> status =
        Combinators.combine(
                ints(),
                doubles(),
                longs(),
                Arbitraries.of(true, false),
                strings(),
                Arbitraries.of(0, 3, 1025))
            .as(
                (index, x, bytes, healthy, reason, processes) -> {
                  DeviceStatus.Builder s =
                      DeviceStatus.newBuilder()
                          .setIndex(Math.floorMod(index, 6))
                          .setUtilizationPercent(x)
                          .setMemoryUsedBytes(bytes)
                          .setPowerWatts(x)
                          .setHealthy(healthy)
                          .setHealthReason(reason)
                          .setEccUncorrectedVolatile(bytes);
                  for (int i = 0; i < processes; i++) {
                    s.addProcesses(GpuProcess.newBuilder().setPid(i).setTaskId("t-" + i));
                  }
                  return s.build();
                });
    return Combinators.combine(status.list().ofMaxSize(80), timestamps())
        .as((devices, time) -> Heartbeat.newBuilder().setTime(time).addAllDevices(devices).build());
  }

  /** Task updates about real, foreign and made-up tasks, with floods of output. */
  static Arbitrary<TaskUpdate> taskUpdates(List<String> knownTaskIds) {
    Arbitrary<String> taskId =
        Arbitraries.oneOf(Arbitraries.of(knownTaskIds), strings(), Arbitraries.of("t-3", "t-9"));
    Arbitrary<LogLine> line =
        Combinators.combine(strings(), ints(), timestamps())
            .as(
                (text, stream, time) ->
                    LogLine.newBuilder()
                        .setText(text)
                        .setStreamValue(stream)
                        .setTime(time)
                        .build());
    Arbitrary<Consumer<TaskUpdate.Builder>> kind =
        Arbitraries.oneOf(
            timestamps().map(t -> b -> b.setStarted(TaskStarted.newBuilder().setTime(t))),
            line.list()
                .ofMaxSize(30)
                .map(l -> b -> b.setLogs(TaskLogs.newBuilder().addAllLines(l))),
            Arbitraries.of(3000, 20_000)
                .map(
                    n ->
                        b ->
                            b.setLogs(
                                TaskLogs.newBuilder()
                                    .addAllLines(
                                        java.util.Collections.nCopies(
                                            n, LogLine.newBuilder().setText("spam").build())))),
            Combinators.combine(doubles(), longs(), strings())
                .as(
                    (x, n, s) ->
                        (Consumer<TaskUpdate.Builder>)
                            b ->
                                b.setProgress(
                                    Progress.newBuilder()
                                        .setPercent(x)
                                        .setStep(n)
                                        .setTotalSteps(-n)
                                        .putMetrics(s, x)
                                        .setMessage(s))),
            Combinators.combine(ints(), strings(), Arbitraries.of(true, false))
                .as(
                    (code, s, flag) ->
                        (Consumer<TaskUpdate.Builder>)
                            b ->
                                b.setEnded(
                                    TaskEnded.newBuilder()
                                        .setCancelled(flag)
                                        .setPreempted(!flag)
                                        .setResult(
                                            TaskResult.newBuilder()
                                                .setExitCode(code)
                                                .setMessage(s)
                                                .setReasonCode(s)))),
            Arbitraries.just(b -> {}));
    return Combinators.combine(longs(), taskId, ints(), kind)
        .as(
            (updateId, id, attempt, k) -> {
              TaskUpdate.Builder update =
                  TaskUpdate.newBuilder().setUpdateId(updateId).setTaskId(id).setAttempt(attempt);
              k.accept(update);
              return update.build();
            });
  }

  /** Hellos for the given node, right or wrong, with odd instance ids and known task lists. */
  static Arbitrary<AgentHello> hellos(String nodeId, String credential) {
    return Combinators.combine(
            Arbitraries.frequency(Tuple.of(8, credential), Tuple.of(1, "wrong")),
            strings(),
            strings().list().ofMaxSize(5),
            Arbitraries.frequency(Tuple.of(8, nodeId), Tuple.of(1, "x")))
        .as(
            (secret, instance, known, node) ->
                AgentHello.newBuilder()
                    .setNodeId(node)
                    .setNodeCredential(secret)
                    .setInstanceId(instance.length() > 100 ? instance : "fuzz-" + instance.length())
                    .addAllKnownTaskIds(known)
                    .build());
  }

  /** A message to send as is, described briefly for jqwik's report of a failing sample. */
  record Raw(String what, byte[] bytes) {
    static Raw of(Message message) {
      String text = message.toString().replace('\n', ' ');
      return new Raw(
          text.length() > 200 ? text.substring(0, 200) + "..." : text, message.toByteArray());
    }

    @Override
    public String toString() {
      return what + " (" + bytes.length + " bytes)";
    }
  }

  /** Bytes that do not parse as {@code valid}'s type, and some that might. */
  static Arbitrary<byte[]> malformed(Message valid) {
    byte[] bytes = valid.toByteArray();
    return Arbitraries.oneOf(
        Arbitraries.bytes().array(byte[].class).ofMaxSize(64),
        Arbitraries.integers()
            .between(0, Math.max(0, bytes.length - 1))
            .map(n -> java.util.Arrays.copyOf(bytes, n)),
        Combinators.combine(
                Arbitraries.integers().between(0, Math.max(0, bytes.length - 1)),
                Arbitraries.bytes())
            .as(
                (i, b) -> {
                  byte[] copy = bytes.clone();
                  if (copy.length > 0) {
                    copy[i] = b;
                  }
                  return copy;
                }),
        Arbitraries.integers().between(1, 15).map(field -> invalidUtf8String(bytes, field)),
        Arbitraries.of(150, 5000).map(HostileInputs::nestedGroups),
        Arbitraries.just(concat(bytes, new byte[] {(byte) 0x0f})), // wire type 7 does not exist
        Arbitraries.just(concat(bytes, new byte[] {(byte) 0x82, 0x01, (byte) 0xff, 0x7f})));
  }

  /** {@code message} with a string field of invalid UTF-8 appended at {@code field}. */
  static byte[] invalidUtf8String(byte[] message, int field) {
    return concat(message, lengthDelimited(field, new byte[] {'a', (byte) 0xff, (byte) 0xfe}));
  }

  /** An unknown field holding {@code depth} nested groups: past protobuf's recursion limit. */
  static byte[] nestedGroups(int depth) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      CodedOutputStream coded = CodedOutputStream.newInstance(out);
      for (int i = 0; i < depth; i++) {
        coded.writeTag(99, 3); // start group
      }
      for (int i = 0; i < depth; i++) {
        coded.writeTag(99, 4); // end group
      }
      coded.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static byte[] lengthDelimited(int field, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      CodedOutputStream coded = CodedOutputStream.newInstance(out);
      coded.writeBytes(field, ByteString.copyFrom(payload));
      coded.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }
}
