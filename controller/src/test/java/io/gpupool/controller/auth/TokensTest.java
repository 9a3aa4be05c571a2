package io.gpupool.controller.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.util.Durations;
import io.gpupool.controller.Controller;
import io.gpupool.controller.ControllerConfig;
import io.gpupool.controller.state.Credentials;
import io.gpupool.controller.testing.SecuredController;
import io.gpupool.proto.v1.AdminServiceGrpc.AdminServiceBlockingStub;
import io.gpupool.proto.v1.CreateTokenRequest;
import io.gpupool.proto.v1.CreateTokenResponse;
import io.gpupool.proto.v1.GetIdentityRequest;
import io.gpupool.proto.v1.ListTasksRequest;
import io.gpupool.proto.v1.ListTokensRequest;
import io.gpupool.proto.v1.RevokeTokenRequest;
import io.gpupool.proto.v1.Role;
import io.gpupool.proto.v1.Token;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Tokens: the first admin token, creation, hashing at rest, revocation, expiry. */
@Timeout(60)
class TokensTest {
  @TempDir Path dir;

  @Test
  void theFirstStartWritesAnAdminTokenReadableByTheOwnerOnlyAndLaterStartsLeaveIt()
      throws Exception {
    Path data = dir.resolve("data");
    Path file = data.resolve("admin.token");
    String secret;
    try (SecuredController first = SecuredController.start(data, c -> c)) {
      secret = first.adminSecret;
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");
      assertThat(secret).matches("gpt_[0-9a-f]{16}_[A-Za-z0-9_-]{43}");
      Token me =
          first.admin(secret).getIdentity(GetIdentityRequest.getDefaultInstance()).getToken();
      assertThat(me.getRole()).isEqualTo(Role.ROLE_ADMIN);
      assertThat(me.getCreatedBy()).isEqualTo("bootstrap");
    }
    FileTime written = Files.getLastModifiedTime(file);

    try (SecuredController again = SecuredController.start(data, c -> c)) {
      assertThat(again.adminSecret).isEqualTo(secret);
      assertThat(Files.getLastModifiedTime(file)).isEqualTo(written);
      assertThat(
              again
                  .admin(secret)
                  .listTokens(ListTokensRequest.getDefaultInstance())
                  .getTokensList())
          .hasSize(1);
    }
    Files.delete(file);
    try (Controller third =
        Controller.start(
            ControllerConfig.builder()
                .insecure(true)
                .host("127.0.0.1")
                .grpcPort(0)
                .httpPort(-1)
                .dataDir(data)
                .joinToken("join")
                .build())) {
      assertThat(file).as("an admin token exists in the store: none is made").doesNotExist();
    }
  }

  @Test
  void whenEveryAdminTokenIsRevokedTheNextStartWritesANewOne() throws Exception {
    Path data = dir.resolve("data");
    String first;
    try (SecuredController cluster = SecuredController.start(data, c -> c)) {
      first = cluster.adminSecret;
      cluster.admin(first).revokeToken(RevokeTokenRequest.newBuilder().setId(idOf(first)).build());
    }
    try (SecuredController cluster = SecuredController.start(data, c -> c)) {
      assertThat(cluster.adminSecret).isNotEqualTo(first);
      assertThat(
              cluster
                  .scheduler(cluster.adminSecret)
                  .listTasks(ListTasksRequest.getDefaultInstance()))
          .isNotNull();
    }
  }

  @Test
  void theStoreHoldsOnlyTheHashOfEachSecret() throws Exception {
    Path data = dir.resolve("data");
    List<String> secrets = new ArrayList<>();
    try (SecuredController cluster = SecuredController.start(data, c -> c)) {
      secrets.add(cluster.adminSecret);
      secrets.add(cluster.token(Role.ROLE_USER, "team-a"));
      secrets.add(cluster.token(Role.ROLE_AGENT, ""));
    }

    List<String> rows = new ArrayList<>();
    List<String> hashes = new ArrayList<>();
    try (Connection c =
            DriverManager.getConnection("jdbc:h2:file:" + data.toAbsolutePath() + "/gpupool");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM api_tokens ORDER BY seq")) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= columns; i++) {
          row.append(rs.getString(i)).append('|');
        }
        rows.add(row.toString());
        hashes.add(rs.getString("secret_hash"));
      }
    }

    assertThat(rows).hasSize(3);
    for (String secret : secrets) {
      String random = secret.substring("gpt_".length() + 16 + 1);
      assertThat(random).hasSize(43);
      assertThat(rows).noneMatch(row -> row.contains(random));
    }
    assertThat(hashes).containsExactlyElementsOf(secrets.stream().map(Credentials::hash).toList());
  }

  @Test
  void createListAndRevokeAToken() throws Exception {
    try (SecuredController cluster = SecuredController.start(dir.resolve("data"), c -> c)) {
      AdminServiceBlockingStub admin = cluster.admin(cluster.adminSecret);
      CreateTokenResponse created =
          admin.createToken(
              CreateTokenRequest.newBuilder()
                  .setRole(Role.ROLE_USER)
                  .setTenant("team-a")
                  .setDescription("ci pipeline")
                  .setTtl(Durations.fromDays(30))
                  .build());
      Token token = created.getToken();

      assertThat(created.getSecret()).startsWith("gpt_" + token.getId() + "_");
      assertThat(token.getTenant()).isEqualTo("team-a");
      assertThat(token.getCreatedBy()).isEqualTo(idOf(cluster.adminSecret));
      assertThat(token.getExpireTime().getSeconds() - token.getCreateTime().getSeconds())
          .isEqualTo(Duration.ofDays(30).toSeconds());
      assertThat(
              cluster
                  .scheduler(created.getSecret())
                  .listTasks(ListTasksRequest.getDefaultInstance()))
          .isNotNull();

      Token revoked =
          admin
              .revokeToken(RevokeTokenRequest.newBuilder().setId(token.getId()).build())
              .getToken();
      assertThat(revoked.hasRevokeTime()).isTrue();
      assertThat(
              admin
                  .revokeToken(RevokeTokenRequest.newBuilder().setId(token.getId()).build())
                  .getToken()
                  .getRevokeTime())
          .as("revoking twice is no error and keeps the first time")
          .isEqualTo(revoked.getRevokeTime());
      assertUnauthenticated(
          () ->
              cluster
                  .scheduler(created.getSecret())
                  .listTasks(ListTasksRequest.getDefaultInstance()),
          "token " + token.getId() + " was revoked");
      assertThat(admin.listTokens(ListTokensRequest.getDefaultInstance()).getTokensList())
          .extracting(Token::getId)
          .doesNotContain(token.getId());
      assertThat(
              admin
                  .listTokens(ListTokensRequest.newBuilder().setIncludeInactive(true).build())
                  .getTokensList())
          .extracting(Token::getId)
          .containsExactly(idOf(cluster.adminSecret), token.getId());
    }
  }

  @Test
  void aTokenStopsWorkingWhenItExpiresOnTheControllersClock() throws Exception {
    try (SecuredController cluster = SecuredController.start(dir.resolve("data"), c -> c)) {
      String secret =
          cluster
              .admin(cluster.adminSecret)
              .createToken(
                  CreateTokenRequest.newBuilder()
                      .setRole(Role.ROLE_VIEWER)
                      .setTenant("team-a")
                      .setTtl(Durations.fromHours(1))
                      .build())
              .getSecret();
      cluster.clock.advance(Duration.ofMinutes(59));
      assertThat(cluster.scheduler(secret).listTasks(ListTasksRequest.getDefaultInstance()))
          .isNotNull();

      cluster.clock.advance(Duration.ofMinutes(1));

      assertUnauthenticated(
          () -> cluster.scheduler(secret).listTasks(ListTasksRequest.getDefaultInstance()),
          "expired at 2026-11-03T13:00:00Z");
    }
  }

  @Test
  void badCreateRequestsNameEveryField() throws Exception {
    try (SecuredController cluster = SecuredController.start(dir.resolve("data"), c -> c)) {
      AdminServiceBlockingStub admin = cluster.admin(cluster.adminSecret);

      assertInvalid(
          () -> admin.createToken(CreateTokenRequest.getDefaultInstance()),
          "role: required: ROLE_ADMIN, ROLE_USER, ROLE_VIEWER or ROLE_AGENT");
      assertInvalid(
          () ->
              admin.createToken(
                  CreateTokenRequest.newBuilder()
                      .setRole(Role.ROLE_USER)
                      .setDescription("x".repeat(257))
                      .setTtl(Durations.fromSeconds(-5))
                      .build()),
          "tenant: required for ROLE_USER",
          "description: at most 256 characters, got 257",
          "ttl: must be positive when set");
      assertInvalid(
          () ->
              admin.createToken(
                  CreateTokenRequest.newBuilder().setRole(Role.ROLE_ADMIN).setTenant("a").build()),
          "tenant: must be empty for ROLE_ADMIN");
      assertInvalid(
          () ->
              admin.createToken(
                  CreateTokenRequest.newBuilder()
                      .setRole(Role.ROLE_VIEWER)
                      .setTenant("bad tenant\n")
                      .build()),
          "tenant: 1 to 253 letters, digits");
      assertThatThrownBy(
              () -> admin.revokeToken(RevokeTokenRequest.newBuilder().setId("0123").build()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }
  }

  @Test
  void callsWithoutAValidTokenSayHowToAuthenticate() throws Exception {
    try (SecuredController cluster = SecuredController.start(dir.resolve("data"), c -> c)) {
      assertUnauthenticated(
          () -> cluster.scheduler(null).listTasks(ListTasksRequest.getDefaultInstance()),
          "this call needs a token: send 'authorization: Bearer <token>' (CLI: --token or"
              + " GPUPOOL_TOKEN");
      String wrong = cluster.adminSecret.substring(0, cluster.adminSecret.length() - 2) + "xx";
      assertUnauthenticated(
          () -> cluster.scheduler(wrong).listTasks(ListTasksRequest.getDefaultInstance()),
          "the token is not valid");
      assertUnauthenticated(
          () -> cluster.scheduler("garbage").listTasks(ListTasksRequest.getDefaultInstance()),
          "the token is not valid");
    }
  }

  private static String idOf(String secret) {
    return TokenSecrets.idOf(secret).orElseThrow();
  }

  private static void assertUnauthenticated(Runnable call, String message) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
              assertThat(e.getStatus().getDescription()).contains(message);
            });
  }

  private static void assertInvalid(Runnable call, String... problems) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription()).contains(problems);
            });
  }
}
