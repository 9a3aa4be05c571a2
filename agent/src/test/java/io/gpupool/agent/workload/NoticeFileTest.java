package io.gpupool.agent.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class NoticeFileTest {

  @TempDir Path taskDir;

  private static PreemptionNotice notice(String reason) {
    return new PreemptionNotice("t-1", reason, Instant.parse("2026-11-25T10:10:00Z"), 1);
  }

  @Test
  void isAnAbsoluteDotFileInTheTaskDirectory() {
    assertThat(new NoticeFile(taskDir).path())
        .isAbsolute()
        .isEqualTo(taskDir.toAbsolutePath().resolve(".gpupool-notice.json"));
  }

  @Test
  void writeReplacesTheFileWholeAndLeavesNoTemporaryFiles() throws IOException {
    NoticeFile file = new NoticeFile(taskDir);

    file.write(notice("first"));
    file.write(notice("second"));

    assertThat(file.path()).hasContent(notice("second").toJson().strip());
    try (var files = Files.list(taskDir)) {
      assertThat(files).containsExactly(file.path());
    }
  }

  @Test
  void deleteStaleRemovesAnOldNoticeAndToleratesNone() throws IOException {
    NoticeFile file = new NoticeFile(taskDir);
    file.deleteStale();
    file.write(notice("old"));

    file.deleteStale();

    assertThat(file.path()).doesNotExist();
  }
}
