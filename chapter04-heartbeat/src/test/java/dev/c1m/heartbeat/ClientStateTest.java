package dev.c1m.heartbeat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static dev.c1m.heartbeat.ClientState.CLOSED;
import static dev.c1m.heartbeat.ClientState.CONNECTED;
import static dev.c1m.heartbeat.ClientState.CONNECTING;
import static dev.c1m.heartbeat.ClientState.DISCONNECTED;
import static dev.c1m.heartbeat.ClientState.IDLE;
import static org.assertj.core.api.Assertions.assertThat;

@Timeout(10)
class ClientStateTest {

    @Test
    void allowsTheDocumentedTransitions() {
        assertThat(IDLE.canMoveTo(CONNECTING)).isTrue();
        assertThat(CONNECTING.canMoveTo(CONNECTED)).isTrue();
        assertThat(CONNECTING.canMoveTo(DISCONNECTED)).isTrue();
        assertThat(CONNECTED.canMoveTo(DISCONNECTED)).isTrue();
        assertThat(DISCONNECTED.canMoveTo(CONNECTING)).isTrue();
    }

    @Test
    void everyStateButClosedCanBeClosed() {
        for (ClientState state : ClientState.values()) {
            assertThat(state.canMoveTo(CLOSED)).as(state + " -> CLOSED").isEqualTo(state != CLOSED);
        }
    }

    @Test
    void rejectsShortcutsAndAnyMoveOutOfClosed() {
        assertThat(IDLE.canMoveTo(CONNECTED)).isFalse();
        assertThat(CONNECTED.canMoveTo(CONNECTING)).isFalse();
        assertThat(DISCONNECTED.canMoveTo(CONNECTED)).isFalse();
        assertThat(CONNECTED.canMoveTo(IDLE)).isFalse();
        for (ClientState state : ClientState.values()) {
            assertThat(CLOSED.canMoveTo(state)).isFalse();
        }
    }
}
