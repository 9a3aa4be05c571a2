package io.gpupool.agent.session;

import io.gpupool.agent.device.GpuDevice;
import io.gpupool.agent.device.GpuProcessUsage;
import io.gpupool.agent.device.GpuSample;
import io.gpupool.proto.v1.DeviceInfo;
import io.gpupool.proto.v1.DeviceStatus;
import io.gpupool.proto.v1.GpuProcess;

/** Maps the device backend's records to their wire messages. Stateless. */
final class DeviceMessages {

  private DeviceMessages() {}

  static DeviceInfo info(GpuDevice device) {
    return DeviceInfo.newBuilder()
        .setIndex(device.index())
        .setUuid(device.uuid())
        .setModel(device.model())
        .setMemoryTotalBytes(device.memoryTotalBytes())
        .setSimulated(device.simulated())
        .setInterconnectGroup(device.interconnectGroup())
        .setPowerLimitWatts(device.powerLimitWatts())
        .setPciBusId(device.pciBusId())
        .setComputeCapability(device.computeCapability())
        .setMultiprocessorCount(device.multiprocessorCount())
        .build();
  }

  /** The sample as a DeviceStatus; unknown measurements stay unset. */
  static DeviceStatus status(GpuSample sample) {
    DeviceStatus.Builder status =
        DeviceStatus.newBuilder()
            .setIndex(sample.index())
            .setHealthy(sample.healthy())
            .setHealthReason(sample.healthReason());
    if (GpuSample.known(sample.utilizationPercent())) {
      status.setUtilizationPercent(sample.utilizationPercent());
    }
    if (GpuSample.known(sample.memoryUtilizationPercent())) {
      status.setMemoryUtilizationPercent(sample.memoryUtilizationPercent());
    }
    if (GpuSample.known(sample.memoryUsedBytes())) {
      status.setMemoryUsedBytes(sample.memoryUsedBytes());
    }
    if (GpuSample.known(sample.powerWatts())) {
      status.setPowerWatts(sample.powerWatts());
    }
    if (GpuSample.known(sample.powerLimitWatts())) {
      status.setPowerLimitWatts(sample.powerLimitWatts());
    }
    if (GpuSample.known(sample.temperatureCelsius())) {
      status.setTemperatureCelsius(sample.temperatureCelsius());
    }
    if (GpuSample.known(sample.eccCorrectedVolatile())) {
      status.setEccCorrectedVolatile(sample.eccCorrectedVolatile());
    }
    if (GpuSample.known(sample.eccUncorrectedVolatile())) {
      status.setEccUncorrectedVolatile(sample.eccUncorrectedVolatile());
    }
    if (GpuSample.known(sample.nvlinkActiveLinks())) {
      status.setNvlinkActiveLinks(sample.nvlinkActiveLinks());
    }
    for (GpuProcessUsage process : sample.processes()) {
      GpuProcess.Builder p = GpuProcess.newBuilder().setPid(process.pid());
      if (process.usedMemoryBytes() >= 0) {
        p.setUsedMemoryBytes(process.usedMemoryBytes());
      }
      status.addProcesses(p);
    }
    return status.build();
  }
}
