package io.gpupool.agent;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of the agent software, as the build wrote it into the jar. */
final class AgentVersion {

  private static final String UNKNOWN = "unknown";

  private AgentVersion() {}

  static String get() {
    try (InputStream in = AgentVersion.class.getResourceAsStream("agent-version.properties")) {
      if (in == null) {
        return UNKNOWN;
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version", UNKNOWN);
    } catch (IOException e) {
      return UNKNOWN;
    }
  }
}
