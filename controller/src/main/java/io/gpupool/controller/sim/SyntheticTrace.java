package io.gpupool.controller.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Generates a job trace shaped like a DNN training cluster's, for benchmarks and tests at scales no
 * sample trace reaches.
 *
 * <p>Jobs arrive as a Poisson process; they ask for 1, 2, 4 or 8 GPUs (55/10/25/10%) and run for a
 * log-normal time (median one hour, heavy tail, capped at two weeks), under one of six model names
 * and eight tenants. The arrival rate is set so the offered load (GPU-seconds asked per second over
 * the cluster's GPUs) is the one requested. The same arguments always give the same trace.
 *
 * <p>Stateless and thread-safe.
 */
public final class SyntheticTrace {
  private static final int[] GPUS = {1, 2, 4, 8};
  private static final double[] GPU_SHARES = {0.55, 0.10, 0.25, 0.10};
  private static final String[] MODELS = {
    "resnet50", "vgg16", "bert", "gpt2", "inception3", "deepspeech2"
  };
  private static final double MEDIAN_SECONDS = 3600;
  private static final double SIGMA = 1.5;
  private static final double MAX_SECONDS = 14 * 24 * 3600;
  private static final int TENANTS = 8;

  private SyntheticTrace() {}

  /**
   * A trace of {@code jobs} jobs offering {@code load} to {@code gpus} GPUs.
   *
   * @param jobs how many jobs, at least 0
   * @param gpus GPUs of the cluster it is meant for, at least 1
   * @param load offered load, greater than 0 (1.0 keeps every GPU busy on average)
   * @param seed seed of the pseudo-random generator
   * @throws IllegalArgumentException for values out of range
   */
  public static Trace generate(int jobs, int gpus, double load, long seed) {
    if (jobs < 0 || gpus < 1 || !(load > 0) || Double.isInfinite(load)) {
      throw new IllegalArgumentException(
          "need jobs >= 0, gpus >= 1 and a finite load > 0; got "
              + jobs
              + ", "
              + gpus
              + ", "
              + load);
    }
    SplittableRandom random = new SplittableRandom(seed);
    double meanGpus = 0;
    for (int i = 0; i < GPUS.length; i++) {
      meanGpus += GPUS[i] * GPU_SHARES[i];
    }
    double meanSeconds = MEDIAN_SECONDS * Math.exp(SIGMA * SIGMA / 2);
    double arrivalsPerSecond = load * gpus / (meanGpus * meanSeconds);
    List<TraceJob> list = new ArrayList<>(jobs);
    double now = 0;
    for (int i = 0; i < jobs; i++) {
      now += -Math.log(1 - random.nextDouble()) / arrivalsPerSecond;
      double seconds = Math.min(MAX_SECONDS, MEDIAN_SECONDS * Math.exp(SIGMA * gaussian(random)));
      list.add(
          new TraceJob(
              Integer.toString(i),
              Math.round(now) * 1000,
              gpuCount(random.nextDouble()),
              Math.max(1, Math.round(seconds)) * 1000,
              MODELS[random.nextInt(MODELS.length)],
              "",
              "tenant-" + (char) ('a' + random.nextInt(TENANTS)),
              0,
              Optional.empty(),
              0));
    }
    return new Trace(
        String.format(Locale.ROOT, "synthetic-%d-jobs-load-%.2f-seed-%d", jobs, load, seed), list);
  }

  private static int gpuCount(double u) {
    double cumulative = 0;
    for (int i = 0; i < GPUS.length; i++) {
      cumulative += GPU_SHARES[i];
      if (u < cumulative) {
        return GPUS[i];
      }
    }
    return GPUS[GPUS.length - 1];
  }

  /** A standard normal deviate (Box-Muller; SplittableRandom has no nextGaussian on Java 17). */
  private static double gaussian(SplittableRandom random) {
    double u1 = 1 - random.nextDouble();
    double u2 = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}
