package io.gpupool.cli.client;

import io.gpupool.proto.v1.TaskState;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a {@code --state} value: {@code running} or {@code TASK_STATE_RUNNING}, case-insensitive;
 * anything else is a usage error listing the valid values. Stateless, thread-safe.
 */
public final class TaskStateConverter implements ITypeConverter<TaskState> {
  @Override
  public TaskState convert(String value) {
    try {
      return TaskStates.parse(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
