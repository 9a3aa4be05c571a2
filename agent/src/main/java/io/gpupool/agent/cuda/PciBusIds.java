package io.gpupool.agent.cuda;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PCI bus ids in one form, so that NVML's and CUDA's spellings of the same device compare equal:
 * NVML writes "00000000:3B:00.0" (8-digit domain, upper case), CUDA "0000:3b:00.0".
 */
public final class PciBusIds {

  private static final Pattern BUS_ID =
      Pattern.compile("(?:([0-9a-fA-F]{1,8}):)?([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})\\.([0-7])");

  private PciBusIds() {}

  /**
   * The canonical form "dddd:bb:dd.f" in lower case, e.g. "0000:3b:00.0"; a missing domain is 0.
   *
   * @return empty when the text is not a PCI bus id
   */
  public static Optional<String> normalize(String busId) {
    Matcher m = BUS_ID.matcher(busId.strip());
    if (!m.matches()) {
      return Optional.empty();
    }
    long domain = m.group(1) == null ? 0 : Long.parseLong(m.group(1), 16);
    return Optional.of(
        String.format(
            Locale.ROOT,
            "%04x:%02x:%02x.%s",
            domain,
            Integer.parseInt(m.group(2), 16),
            Integer.parseInt(m.group(3), 16),
            m.group(4)));
  }

  /** True when both name the same device; false when either is not a bus id. */
  public static boolean same(String a, String b) {
    Optional<String> left = normalize(a);
    return left.isPresent() && left.equals(normalize(b));
  }
}
