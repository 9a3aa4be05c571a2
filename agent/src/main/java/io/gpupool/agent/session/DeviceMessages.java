package io.gpupool.agent.session;

import io.gpupool.agent.device.GpuDevice;
import io.gpupool.agent.device.GpuSample;
import io.gpupool.proto.v1.DeviceInfo;
import io.gpupool.proto.v1.DeviceStatus;

/** Maps the device backend's records to their wire messages. */
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
        .build();
  }

  static DeviceStatus status(GpuSample sample) {
    return DeviceStatus.newBuilder()
        .setIndex(sample.index())
        .setUtilizationPercent(sample.utilizationPercent())
        .setMemoryUsedBytes(sample.memoryUsedBytes())
        .setPowerWatts(sample.powerWatts())
        .setTemperatureCelsius(sample.temperatureCelsius())
        .setHealthy(sample.healthy())
        .build();
  }
}
