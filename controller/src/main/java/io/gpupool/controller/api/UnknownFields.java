package io.gpupool.controller.api;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.List;
import java.util.Map;

/**
 * Finds fields a client sent that this server does not know. Protobuf keeps them silently; we
 * refuse them, because a client that sets a field it believes exists must not be ignored.
 */
final class UnknownFields {
  private UnknownFields() {}

  /** Adds a violation per unknown field anywhere in {@code message}, by path. */
  static void check(Message message, String path, Violations violations) {
    for (int number : message.getUnknownFields().asMap().keySet()) {
      violations.add(path.isEmpty() ? "(request)" : path, "unknown field number " + number);
    }
    for (Map.Entry<FieldDescriptor, Object> field : message.getAllFields().entrySet()) {
      FieldDescriptor descriptor = field.getKey();
      if (descriptor.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      String fieldPath = path.isEmpty() ? descriptor.getName() : path + "." + descriptor.getName();
      if (descriptor.isRepeated()) {
        List<?> values = (List<?>) field.getValue();
        for (int i = 0; i < values.size(); i++) {
          check((Message) values.get(i), fieldPath + "[" + i + "]", violations);
        }
      } else {
        check((Message) field.getValue(), fieldPath, violations);
      }
    }
  }
}
