-- Who leads the controllers that share this database (PostgreSQL only elects; on H2 the row stays
-- at epoch 0). One row: a controller that takes the leader lock increments epoch and records
-- itself; every commit of a leader checks, in its transaction, that epoch is still its own, so a
-- deposed leader can never write.
CREATE TABLE controller_leader (
  id       INTEGER                  NOT NULL PRIMARY KEY,
  epoch    BIGINT                   NOT NULL,
  holder   VARCHAR(255)             NOT NULL,
  address  VARCHAR(255)             NOT NULL,
  since    TIMESTAMP WITH TIME ZONE,
  CONSTRAINT controller_leader_one_row CHECK (id = 1)
);

INSERT INTO controller_leader (id, epoch, holder, address, since) VALUES (1, 0, '', '', NULL);
