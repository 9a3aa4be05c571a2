package io.gpupool.controller.ha;

import java.io.IOException;
import java.nio.file.Path;

/** Another controller runs on the same data dir; its message is one line a user can act on. */
public final class DataDirInUseException extends IOException {
  private static final long serialVersionUID = 1L;

  DataDirInUseException(Path dataDir, String holderPid) {
    super(
        "data dir "
            + dataDir
            + " is in use by another controller"
            + (holderPid.isEmpty() ? "" : " (pid " + holderPid + ")")
            + "; stop it or pass another --data-dir");
  }
}
