package io.gpupool.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.util.Durations;
import io.gpupool.agent.device.GpuDevice;
import io.gpupool.agent.device.SimulateSpec;
import io.gpupool.agent.device.SimulatedBackend;
import io.gpupool.agent.workload.AbandonedRunners;
import io.gpupool.agent.workload.TaskRunner;
import io.gpupool.agent.workload.WorkloadUser;
import io.gpupool.proto.v1.CancelTaskCommand;
import io.gpupool.proto.v1.CommandWorkload;
import io.gpupool.proto.v1.ConnectRequest;
import io.gpupool.proto.v1.ConnectResponse;
import io.gpupool.proto.v1.LogLine;
import io.gpupool.proto.v1.PreemptTaskCommand;
import io.gpupool.proto.v1.RegisterRequest;
import io.gpupool.proto.v1.StartTask;
import io.gpupool.proto.v1.TaskEnded;
import io.gpupool.proto.v1.TaskSpec;
import io.gpupool.proto.v1.TaskUpdate;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class AgentTest {

  private static final String TOKEN = "join-secret";

  @TempDir Path stateDir;
  @TempDir Path workDir;

  private final String serverName = InProcessServerBuilder.generateName();
  private final FakeAgentService controller = new FakeAgentService(TOKEN);
  private final List<Agent> agents = new ArrayList<>();
  private Server server;

  @BeforeEach
  void startController() throws IOException {
    server = startServer();
  }

  @AfterEach
  void stopEverything() throws InterruptedException {
    agents.forEach(Agent::close);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private Server startServer() throws IOException {
    return InProcessServerBuilder.forName(serverName)
        .directExecutor()
        .addService(controller)
        .build()
        .start();
  }

  private AgentConfig.Builder config() {
    return AgentConfig.builder()
        .controllerTarget("controller.test:7070")
        .joinToken(TOKEN)
        .stateDir(stateDir)
        .nodeName("node-a")
        .simulate("2xA100-80GB")
        .heartbeatInterval(Duration.ofMillis(50))
        .reconnectBackoffMin(Duration.ofMillis(10))
        .reconnectBackoffMax(Duration.ofMillis(50))
        .channelFactory(target -> InProcessChannelBuilder.forName(serverName).build());
  }

  private Agent start(AgentConfig config) throws AgentStartException {
    Agent agent = Agent.start(config);
    agents.add(agent);
    return agent;
  }

  private Agent startAgent() throws AgentStartException {
    return start(config().build());
  }

  private static ConnectResponse startTask(String taskId, TaskSpec spec, Integer... devices) {
    return ConnectResponse.newBuilder()
        .setStartTask(
            StartTask.newBuilder()
                .setTaskId(taskId)
                .setSpec(spec)
                .addAllDeviceIndices(List.of(devices)))
        .build();
  }

  private TaskSpec bash(String script) {
    return TaskSpec.newBuilder()
        .setCommand(
            CommandWorkload.newBuilder()
                .addArgv("bash")
                .addArgv("-c")
                .addArgv(script)
                .setWorkingDir(workDir.toString()))
        .build();
  }

  private List<TaskUpdate> allUpdates() {
    return controller.streams.stream().flatMap(s -> s.taskUpdates().stream()).toList();
  }

  private static List<TaskUpdate> of(List<TaskUpdate> updates, String taskId) {
    return updates.stream().filter(u -> u.getTaskId().equals(taskId)).toList();
  }

  private static Stream<String> logTexts(List<TaskUpdate> updates) {
    return updates.stream()
        .filter(TaskUpdate::hasLogs)
        .flatMap(u -> u.getLogs().getLinesList().stream())
        .map(LogLine::getText);
  }

  private void awaitEnded(String taskId) {
    await().until(() -> of(allUpdates(), taskId).stream().anyMatch(TaskUpdate::hasEnded));
  }

  private void awaitLog(String taskId, String text) {
    await().until(() -> logTexts(of(allUpdates(), taskId)).anyMatch(text::equals));
  }

  @Test
  void registersWithThePersistedNodeIdNameAndDevices() throws Exception {
    Agent agent = startAgent();

    assertThat(controller.registrations).hasSize(1);
    RegisterRequest registration = controller.registrations.get(0);
    assertThat(registration.getNodeId())
        .isEqualTo(agent.nodeId())
        .isEqualTo(Files.readString(stateDir.resolve("node-id")).trim());
    assertThat(registration.getJoinToken()).isEqualTo(TOKEN);
    assertThat(registration.getNodeName()).isEqualTo("node-a");
    assertThat(registration.getAgentVersion()).isNotBlank();
    assertThat(registration.getDevicesList())
        .hasSize(2)
        .allSatisfy(
            d -> {
              assertThat(d.getSimulated()).isTrue();
              assertThat(d.getModel()).isEqualTo("NVIDIA A100 80GB");
              assertThat(d.getUuid()).startsWith("SIM-");
            });
    assertThat(agent.devices().description()).isEqualTo("simulated: 2x NVIDIA A100 80GB");
  }

  @Test
  void keepsTheNodeIdAcrossRestartsOnTheSameStateDir(@TempDir Path otherStateDir) throws Exception {
    Agent first = startAgent();
    String nodeId = first.nodeId();
    List<String> uuids = first.devices().devices().stream().map(GpuDevice::uuid).toList();
    first.close();

    Agent second = startAgent();
    Agent elsewhere = start(config().stateDir(otherStateDir).build());

    // The instance (and the numbering of task updates in it) lives in the state dir, so a restarted
    // agent's spooled updates keep ids the controller can deduplicate.
    assertThat(controller.streams.get(0).hello().getInstanceId())
        .isNotBlank()
        .isEqualTo(controller.streams.get(1).hello().getInstanceId())
        .isNotEqualTo(controller.streams.get(2).hello().getInstanceId());
    assertThat(second.nodeId()).isEqualTo(nodeId);
    assertThat(second.devices().devices()).extracting(GpuDevice::uuid).isEqualTo(uuids);
    assertThat(elsewhere.nodeId()).isNotEqualTo(nodeId);
    assertThat(controller.registrations)
        .extracting(RegisterRequest::getNodeId)
        .containsExactly(nodeId, nodeId, elsewhere.nodeId());
  }

  @Test
  void refusedJoinTokenFailsTheStart() {
    assertThatThrownBy(() -> start(config().joinToken("wrong").build()))
        .isInstanceOf(AgentStartException.class)
        .hasMessageContaining("refused the join token");
    assertThat(controller.registrations).isEmpty();
  }

  @Test
  void missingDriverWithoutSimulateFailsTheStartWithAHint() {
    AgentConfig config =
        config().simulate(null).nvmlLibrary(workDir.resolve("libnvidia-ml.so.1")).build();

    assertThatThrownBy(() -> start(config))
        .isInstanceOf(AgentStartException.class)
        .hasMessageContaining("no NVIDIA driver found")
        .hasMessageContaining("--simulate 8xA100-80GB");
    assertThat(controller.registrations).isEmpty();
  }

  @Test
  void anUnknownRunAsUserFailsTheStartNamingTheFlag() {
    AgentConfig config = config().runAs("no-such-user-here").build();

    assertThatThrownBy(() -> start(config))
        .isInstanceOf(AgentStartException.class)
        .hasMessageStartingWith("--run-as: no user 'no-such-user-here'");
    assertThat(controller.registrations).isEmpty();
  }

  @Test
  void tasksOfAnAgentRunAsTheRunAsUserWithoutTheAgentsSecrets() throws Exception {
    Assumptions.assumeTrue(WorkloadUser.agent().isRoot(), "needs a root agent");
    Files.setPosixFilePermissions(stateDir, PosixFilePermissions.fromString("rwx--x--x"));
    controller.autoAck = true;
    start(
        config()
            .runAs("nobody")
            .agentEnvironment(Map.of("PATH", "/usr/bin:/bin", "GPUPOOL_JOIN_TOKEN", TOKEN))
            .build());

    controller
        .latest()
        .send(
            startTask(
                "t-nobody",
                TaskSpec.newBuilder()
                    .setCommand(
                        CommandWorkload.newBuilder()
                            .addArgv("sh")
                            .addArgv("-c")
                            .addArgv("id -un; echo \"token=$GPUPOOL_JOIN_TOKEN\""))
                    .build(),
                0));

    awaitEnded("t-nobody");
    assertThat(logTexts(of(allUpdates(), "t-nobody"))).containsExactly("nobody", "token=");
  }

  @Test
  void waitsForTheControllerToComeUp() throws Exception {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    CompletableFuture<Agent> starting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return startAgent();
              } catch (AgentStartException e) {
                throw new CompletionException(e);
              }
            });
    assertThat(starting).isNotDone();

    server = startServer();

    Agent agent = starting.get(30, TimeUnit.SECONDS);
    assertThat(controller.registrations)
        .extracting(RegisterRequest::getNodeId)
        .containsExactly(agent.nodeId());
  }

  @Test
  void sendsTheHelloFirstThenHeartbeatsWithDeviceSamples() throws Exception {
    Agent agent = startAgent();

    await().until(() -> controller.streams.size() == 1 && controller.latest().heartbeats() >= 3);
    await().until(agent::isConnected);
    List<ConnectRequest> received = controller.latest().received;
    assertThat(received.get(0).hasHello()).isTrue();
    assertThat(received.get(0).getHello().getNodeId()).isEqualTo(agent.nodeId());
    assertThat(received.get(0).getHello().getNodeCredential()).isEqualTo("cred-1");
    assertThat(received.stream().skip(1)).allMatch(r -> !r.hasHello());
    assertThat(received.stream().filter(ConnectRequest::hasHeartbeat))
        .allSatisfy(
            r -> {
              assertThat(r.getHeartbeat().hasTime()).isTrue();
              assertThat(r.getHeartbeat().getDevicesList()).hasSize(2);
            });
  }

  @Test
  void usesTheHeartbeatIntervalTheControllerAsksFor() throws Exception {
    controller.heartbeatInterval = Duration.ofMillis(20);

    start(config().heartbeatInterval(Duration.ofMinutes(10)).build());

    await().until(() -> controller.latest().heartbeats() >= 5);
  }

  @Test
  void startTaskRunsTheProcessAndReportsUpdatesInOrderEndingWithEnded() throws Exception {
    controller.autoAck = true;
    startAgent();

    controller
        .latest()
        .send(startTask("t-1", bash("echo hello; echo '##gpupool progress=50 half'; exit 3"), 1));

    awaitEnded("t-1");
    List<TaskUpdate> updates = of(allUpdates(), "t-1");
    assertThat(updates.get(0).hasStarted()).isTrue();
    assertThat(updates.get(updates.size() - 1).getEnded().getResult().getExitCode()).isEqualTo(3);
    assertThat(updates.stream().filter(TaskUpdate::hasEnded)).hasSize(1);
    assertThat(
            updates.stream()
                .filter(u -> u.hasLogs() || u.hasProgress())
                .map(u -> u.hasProgress() ? "progress " + u.getProgress().getPercent() : "logs"))
        .containsExactly("logs", "progress 50.0");
    assertThat(logTexts(updates)).containsExactly("hello");
    for (int i = 1; i < updates.size(); i++) {
      assertThat(updates.get(i).getUpdateId()).isEqualTo(updates.get(i - 1).getUpdateId() + 1);
    }
  }

  @Test
  void unacknowledgedUpdatesSurviveAnAgentRestartWithTheirIds() throws Exception {
    Agent first = startAgent();
    FakeAgentService.Stream stream = controller.latest();
    stream.send(startTask("t-1", bash("echo one; exit 4"), 0));
    awaitEnded("t-1");
    List<TaskUpdate> sent = stream.taskUpdates();
    first.close();

    startAgent();

    await()
        .until(
            () ->
                controller.latest() != stream
                    && controller.latest().taskUpdates().size() == sent.size());
    FakeAgentService.Stream again = controller.latest();
    assertThat(again.hello().getInstanceId()).isEqualTo(stream.hello().getInstanceId());
    assertThat(again.hello().getKnownTaskIdsList()).containsExactly("t-1");
    assertThat(again.taskUpdates()).isEqualTo(sent);
    assertThat(
            again
                .taskUpdates()
                .get(again.taskUpdates().size() - 1)
                .getEnded()
                .getResult()
                .getExitCode())
        .isEqualTo(4);
  }

  @Test
  void unacknowledgedUpdatesAreResentAfterReconnectAndAcknowledgedOnesAreNot() throws Exception {
    startAgent();
    FakeAgentService.Stream first = controller.latest();
    first.send(startTask("t-1", bash("echo one; echo two"), 0));
    awaitEnded("t-1");
    List<TaskUpdate> sent = first.taskUpdates();
    assertThat(sent.size()).isGreaterThanOrEqualTo(3);
    long acked = sent.get(0).getUpdateId();

    first.ack(acked);
    first.fail(Status.UNAVAILABLE.withDescription("controller restarts"));

    await()
        .until(
            () ->
                controller.streams.size() == 2
                    && controller.latest().taskUpdates().size() == sent.size() - 1);
    FakeAgentService.Stream second = controller.latest();
    List<ConnectRequest> afterHello = second.received.subList(1, sent.size());
    assertThat(second.received.get(0).hasHello()).isTrue();
    assertThat(afterHello).allMatch(ConnectRequest::hasTaskUpdate);
    assertThat(second.taskUpdates()).isEqualTo(sent.subList(1, sent.size()));
    assertThat(second.hello().getKnownTaskIdsList())
        .as("ended but unacknowledged")
        .containsExactly("t-1");
    assertThat(second.hello().getInstanceId()).isEqualTo(first.hello().getInstanceId());

    second.ack(sent.get(sent.size() - 1).getUpdateId());
    second.fail(Status.UNAVAILABLE.withDescription("again"));

    await().until(() -> controller.streams.size() == 3 && controller.latest().heartbeats() >= 2);
    assertThat(controller.latest().taskUpdates()).isEmpty();
    assertThat(controller.latest().hello().getKnownTaskIdsList()).isEmpty();
  }

  @Test
  void helloAfterAReconnectReportsTheTasksStillRunning() throws Exception {
    controller.autoAck = true;
    startAgent();
    FakeAgentService.Stream first = controller.latest();
    assertThat(first.hello().getKnownTaskIdsList()).isEmpty();
    first.send(startTask("t-run", bash("echo ready; sleep 1000"), 0));
    awaitLog("t-run", "ready");
    await().until(() -> first.taskUpdates().size() >= 2);

    first.fail(Status.UNAVAILABLE.withDescription("controller restarts"));

    await().until(() -> controller.streams.size() == 2);
    assertThat(controller.latest().hello().getKnownTaskIdsList()).containsExactly("t-run");
  }

  @Test
  void tasksKeepRunningWhileTheControllerIsAwayAndTheirEndIsDeliveredLater() throws Exception {
    startAgent();
    controller
        .latest()
        .send(
            startTask(
                "t-away",
                bash("echo ready; while [ ! -f go ]; do sleep 0.02; done; echo finished > done"),
                0));
    awaitLog("t-away", "ready");

    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    Files.createFile(workDir.resolve("go"));
    await().until(() -> Files.exists(workDir.resolve("done")));
    server = startServer();

    await()
        .until(
            () ->
                controller.latest().taskUpdates().stream()
                    .anyMatch(u -> u.getTaskId().equals("t-away") && u.hasEnded()));
    TaskUpdate ended =
        controller.latest().taskUpdates().stream()
            .filter(TaskUpdate::hasEnded)
            .findFirst()
            .orElseThrow();
    assertThat(ended.getEnded().getResult().getExitCode()).isZero();
  }

  @Test
  void duplicateStartTaskIsIgnored() throws Exception {
    controller.autoAck = true;
    startAgent();
    FakeAgentService.Stream stream = controller.latest();
    ConnectResponse start = startTask("t-dup", bash("echo run >> runs.txt"), 0);

    stream.send(start);
    stream.send(start);
    awaitEnded("t-dup");
    stream.send(start);
    stream.send(startTask("t-next", bash("true"), 1));
    awaitEnded("t-next");

    assertThat(Files.readAllLines(workDir.resolve("runs.txt"))).containsExactly("run");
    assertThat(of(allUpdates(), "t-dup").stream().filter(TaskUpdate::hasStarted)).hasSize(1);
    assertThat(of(allUpdates(), "t-dup").stream().filter(TaskUpdate::hasEnded)).hasSize(1);
  }

  @Test
  void cancelTaskStopsTheTaskAndReportsItCancelled() throws Exception {
    startAgent();
    controller.latest().send(startTask("t-c", bash("echo ready; sleep 1000"), 0));
    awaitLog("t-c", "ready");

    controller
        .latest()
        .send(
            ConnectResponse.newBuilder()
                .setCancelTask(
                    CancelTaskCommand.newBuilder()
                        .setTaskId("t-c")
                        .setGracePeriod(Durations.fromSeconds(5)))
                .build());

    awaitEnded("t-c");
    TaskUpdate ended =
        of(allUpdates(), "t-c").stream().filter(TaskUpdate::hasEnded).findFirst().orElseThrow();
    assertThat(ended.getEnded().getCancelled()).isTrue();
  }

  @Test
  void preemptTaskGivesNoticeAndReportsTheTaskPreempted() throws Exception {
    startAgent();
    controller
        .latest()
        .send(
            ConnectResponse.newBuilder()
                .setStartTask(
                    StartTask.newBuilder()
                        .setTaskId("t-p")
                        .setSpec(
                            bash(
                                "trap 'stopping=1; echo \"##gpupool checkpointed\"' USR1;"
                                    + " echo \"ready $GPUPOOL_ATTEMPT $RANK\"; while [ -z"
                                    + " \"$stopping\" ]; do sleep 1000 & wait $!; done; wait"))
                        .setAttempt(2)
                        .putEnv("RANK", "1"))
                .build());
    awaitLog("t-p", "ready 2 1");

    controller
        .latest()
        .send(
            ConnectResponse.newBuilder()
                .setPreemptTask(
                    PreemptTaskCommand.newBuilder()
                        .setTaskId("t-p")
                        .setReason("preempted by t-42 (priority 100)")
                        .setNoticePeriod(Durations.fromSeconds(600)))
                .build());

    awaitEnded("t-p");
    TaskEnded ended =
        of(allUpdates(), "t-p").stream()
            .filter(TaskUpdate::hasEnded)
            .findFirst()
            .orElseThrow()
            .getEnded();
    assertThat(ended.getPreempted()).isTrue();
    assertThat(ended.getCancelled()).isFalse();
    assertThat(ended.getResult().getMessage())
        .isEqualTo("preempted: preempted by t-42 (priority 100) (checkpointed)");
  }

  @Test
  void anAgentStartedAfterACrashTakesOverTheRunningTaskAndNamesItInItsHello() throws Exception {
    // The earlier agent process: a runner on the same state dir, killed without stopping its task.
    List<TaskUpdate> beforeCrash = new CopyOnWriteArrayList<>();
    TaskRunner crashed =
        new TaskRunner(
            new SimulatedBackend(SimulateSpec.parse("2xA100-80GB"), "node-a", 1),
            stateDir,
            Clock.systemUTC(),
            beforeCrash::add);
    crashed.start("t-adopt", bash("echo ready; sleep 1000"), List.of(0));
    await().until(() -> logTexts(beforeCrash).anyMatch("ready"::equals));
    AbandonedRunners.abandon(crashed);

    startAgent();

    FakeAgentService.Stream stream = controller.latest();
    assertThat(stream.hello().getKnownTaskIdsList()).containsExactly("t-adopt");
    stream.send(
        ConnectResponse.newBuilder()
            .setCancelTask(
                CancelTaskCommand.newBuilder()
                    .setTaskId("t-adopt")
                    .setGracePeriod(Durations.fromSeconds(5)))
            .build());
    awaitEnded("t-adopt");
    TaskEnded ended =
        of(allUpdates(), "t-adopt").stream()
            .filter(TaskUpdate::hasEnded)
            .findFirst()
            .orElseThrow()
            .getEnded();
    assertThat(ended.getCancelled()).isTrue();
    assertThat(ended.getResult().getExitCode()).isEqualTo(143);
  }

  @Test
  void registersAgainWithTheSameNodeIdWhenTheCredentialIsRefused() throws Exception {
    Agent agent = startAgent();
    await().until(agent::isConnected);

    controller.validCredential = "revoked";
    controller.latest().fail(Status.UNAVAILABLE.withDescription("controller restarts"));

    await().until(() -> controller.registrations.size() == 2);
    assertThat(controller.registrations)
        .extracting(RegisterRequest::getNodeId)
        .containsOnly(agent.nodeId());
    await()
        .until(
            () -> {
              FakeAgentService.Stream latest = controller.latest();
              return latest.received.get(0).getHello().getNodeCredential().equals("cred-2")
                  && latest.heartbeats() >= 2
                  && !latest.ended();
            });
    await().until(agent::isConnected);
  }

  @Test
  void closeKillsRunningTasksReportsTheirEndAndEndsTheSession() throws Exception {
    Agent agent = startAgent();
    TaskSpec spec =
        bash("echo ready; sleep 1000").toBuilder()
            .setKillGracePeriod(Durations.fromMillis(500))
            .build();
    controller.latest().send(startTask("t-run", spec, 0));
    awaitLog("t-run", "ready");

    agent.close();
    agent.awaitTermination();

    TaskUpdate last = allUpdates().get(allUpdates().size() - 1);
    assertThat(last.getEnded().getResult().getMessage()).isEqualTo("killed: the agent shut down");
    await().until(() -> controller.latest().ended());
    assertThat(agent.isConnected()).isFalse();
  }
}
