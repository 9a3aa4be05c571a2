package io.gpupool.agent.device;

import java.util.Map;
import java.util.Set;

/**
 * What NVIDIA's XID error codes mean, for the health reasons a human reads, and which of them are
 * the application's fault rather than the GPU's.
 *
 * <p>Stateless and thread-safe.
 */
final class Xids {

  private static final Map<Long, String> KNOWN =
      Map.ofEntries(
          Map.entry(13L, "graphics engine exception"),
          Map.entry(31L, "GPU memory page fault"),
          Map.entry(43L, "GPU stopped processing"),
          Map.entry(45L, "preemptive cleanup"),
          Map.entry(48L, "double-bit ECC error"),
          Map.entry(61L, "internal micro-controller breakpoint"),
          Map.entry(62L, "internal micro-controller halt"),
          Map.entry(63L, "ECC page retirement or row remapping event"),
          Map.entry(64L, "ECC page retirement or row remapping failure"),
          Map.entry(68L, "video processor exception"),
          Map.entry(74L, "NVLink error"),
          Map.entry(79L, "GPU has fallen off the bus"),
          Map.entry(92L, "high single-bit ECC error rate"),
          Map.entry(94L, "contained ECC error"),
          Map.entry(95L, "uncontained ECC error"),
          Map.entry(109L, "context switch timeout"),
          Map.entry(119L, "GSP RPC timeout"),
          Map.entry(120L, "GSP error"),
          Map.entry(999L, "unknown XID"));

  /**
   * XIDs that a faulty program causes on a healthy GPU (bad memory access, killed context); they do
   * not quarantine the device, as NVIDIA's device plugin for Kubernetes also skips them.
   */
  private static final Set<Long> APPLICATION_ERRORS = Set.of(13L, 31L, 43L, 45L, 68L, 109L);

  private Xids() {}

  /** A reason such as "XID 79 (GPU has fallen off the bus)". */
  static String describe(long xid) {
    String meaning = KNOWN.get(xid);
    return meaning == null ? "XID " + xid : "XID " + xid + " (" + meaning + ")";
  }

  /** True when the XID points at the GPU rather than at the program running on it. */
  static boolean isDeviceFault(long xid) {
    return !APPLICATION_ERRORS.contains(xid);
  }
}
