package io.gpupool.controller.core;

/**
 * A task's place in a gang: tasks placed all together or not at all.
 *
 * @param id the gang's id (its rank-0 task's id)
 * @param rank this member's rank, 0 to size-1
 * @param size number of members
 */
public record Gang(String id, int rank, int size) {
  public Gang {
    if (size < 1 || rank < 0 || rank >= size) {
      throw new IllegalArgumentException("bad gang rank " + rank + " of " + size);
    }
  }
}
