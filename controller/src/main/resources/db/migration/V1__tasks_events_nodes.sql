-- Tasks, their event history and registered nodes. The task and node payloads are the wire
-- messages (gpupool.v1.Task, gpupool.v1.Node) serialized with protobuf, as Kubernetes stores its
-- API objects; the columns beside them exist to look up, order and filter.
CREATE TABLE tasks (
  id              VARCHAR(64)  NOT NULL PRIMARY KEY,
  seq             BIGINT       NOT NULL UNIQUE,
  request_id      VARCHAR(128) UNIQUE,
  state           VARCHAR(32)  NOT NULL,
  last_event_seq  BIGINT       NOT NULL,
  task            BYTEA        NOT NULL
);

CREATE INDEX tasks_state_seq ON tasks (state, seq);

CREATE TABLE task_events (
  task_id  VARCHAR(64) NOT NULL,
  seq      BIGINT      NOT NULL,
  event    BYTEA       NOT NULL,
  PRIMARY KEY (task_id, seq)
);

CREATE TABLE nodes (
  id                    VARCHAR(64)  NOT NULL PRIMARY KEY,
  name                  VARCHAR(253) NOT NULL,
  credential_hash       VARCHAR(128) NOT NULL,
  instance_id           VARCHAR(64)  NOT NULL,
  last_applied_update   BIGINT       NOT NULL,
  node                  BYTEA        NOT NULL
);
