package io.gpupool.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gpupool.agent.device.FakeNvml;
import io.gpupool.proto.v1.ConnectRequest;
import io.gpupool.proto.v1.DeviceInfo;
import io.gpupool.proto.v1.DeviceStatus;
import io.gpupool.proto.v1.Heartbeat;
import io.gpupool.proto.v1.RegisterRequest;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** An agent on the fake NVML library: what it registers and heartbeats is what the driver says. */
@Timeout(60)
class NvmlAgentTest {

  private static final String TOKEN = "join-secret";

  @TempDir Path stateDir;
  @TempDir Path driverDir;

  private final String serverName = InProcessServerBuilder.generateName();
  private final FakeAgentService controller = new FakeAgentService(TOKEN);
  private FakeNvml nvml;
  private Server server;
  private Agent agent;

  @BeforeEach
  void startControllerAndAgent() throws Exception {
    server =
        InProcessServerBuilder.forName(serverName)
            .directExecutor()
            .addService(controller)
            .build()
            .start();
    nvml = FakeNvml.twoH100s(driverDir);
    nvml.set("dev0.processes", "4242:536870912");
    agent =
        Agent.start(
            AgentConfig.builder()
                .controllerTarget("controller.test:7070")
                .joinToken(TOKEN)
                .stateDir(stateDir)
                .nodeName("gpu-node")
                .nvmlLibrary(nvml.library())
                .heartbeatInterval(Duration.ofMillis(50))
                .sampleInterval(Duration.ofMillis(20))
                .channelFactory(target -> InProcessChannelBuilder.forName(serverName).build())
                .build());
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (agent != null) {
      agent.close();
    }
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private List<Heartbeat> heartbeats() {
    return controller.latest().received.stream()
        .filter(ConnectRequest::hasHeartbeat)
        .map(ConnectRequest::getHeartbeat)
        .toList();
  }

  private DeviceStatus latestStatus(int index) {
    List<Heartbeat> beats = heartbeats();
    return beats.get(beats.size() - 1).getDevices(index);
  }

  @Test
  void registersTheDriversDevicesAndVersions() {
    RegisterRequest request = controller.registrations.get(0);

    assertThat(request.getDriverVersion()).isEqualTo("550.54.15");
    assertThat(request.getCudaDriverVersion()).isEqualTo("12.4");
    assertThat(request.getDevicesList()).hasSize(2);
    DeviceInfo first = request.getDevices(0);
    assertThat(first.getUuid()).isEqualTo("GPU-00000000-fake-fake-fake-000000000000");
    assertThat(first.getModel()).isEqualTo("NVIDIA H100 80GB HBM3");
    assertThat(first.getMemoryTotalBytes()).isEqualTo(85_899_345_920L);
    assertThat(first.getSimulated()).isFalse();
    assertThat(first.getPciBusId()).isEqualTo("00000000:3B:00.0");
    assertThat(first.getComputeCapability()).isEqualTo("9.0");
    assertThat(first.getPowerLimitWatts()).isEqualTo(700.0);
    assertThat(first.getInterconnectGroup()).isEqualTo("nvlink-0");
  }

  @Test
  void heartbeatsCarryTheDriversMeasurements() {
    await().until(() -> !heartbeats().isEmpty());

    DeviceStatus status = latestStatus(0);
    assertThat(status.getMemoryUsedBytes()).isEqualTo(1_073_741_824L);
    assertThat(status.getUtilizationPercent()).isEqualTo(40.0);
    assertThat(status.getMemoryUtilizationPercent()).isEqualTo(20.0);
    assertThat(status.getPowerWatts()).isEqualTo(250.5);
    assertThat(status.getPowerLimitWatts()).isEqualTo(700.0);
    assertThat(status.getTemperatureCelsius()).isEqualTo(45.0);
    assertThat(status.getEccCorrectedVolatile()).isEqualTo(3);
    assertThat(status.getEccUncorrectedVolatile()).isZero();
    assertThat(status.getNvlinkActiveLinks()).isEqualTo(2);
    assertThat(status.getProcessesList()).hasSize(1);
    assertThat(status.getProcesses(0).getPid()).isEqualTo(4242);
    assertThat(status.getProcesses(0).getUsedMemoryBytes()).isEqualTo(536_870_912L);
    assertThat(status.getHealthy()).isTrue();
  }

  @Test
  void heartbeatsShowUnknownsAsUnsetAndFaultsAsUnhealthy() throws Exception {
    nvml.remove("dev1.temp").set("dev1.ecc_uncorrected", 1);

    await()
        .until(
            () ->
                !heartbeats().isEmpty()
                    && !latestStatus(1).hasTemperatureCelsius()
                    && !latestStatus(1).getHealthy());
    assertThat(latestStatus(1).getHealthReason()).isEqualTo("1 uncorrected ECC errors (volatile)");
    assertThat(latestStatus(0).getHealthy()).isTrue();
    assertThat(latestStatus(0).hasTemperatureCelsius()).isTrue();
  }
}
