package dev.c1m.nio;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class PendingOutputTest {

    /** Takes at most {@code room} bytes in all, like a socket whose send buffer has that much room left. */
    private static final class SocketWithRoom implements WritableByteChannel {
        final ByteArrayOutputStream taken = new ByteArrayOutputStream();
        int room;

        SocketWithRoom(int room) {
            this.room = room;
        }

        @Override
        public int write(ByteBuffer src) {
            int n = Math.min(room, src.remaining());
            room -= n;
            for (int i = 0; i < n; i++) {
                taken.write(src.get());
            }
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void queuesFarMoreThanOneChunkWithoutAskingForABufferLargerThanAChunkAndWritesItInOrder() throws Exception {
        List<Integer> asked = new ArrayList<>();
        CountingBufferSource counting = new CountingBufferSource();
        BufferSource recording = new BufferSource() {
            @Override
            public ByteBuffer acquire(int minCapacity) {
                asked.add(minCapacity);
                return counting.acquire(minCapacity);
            }

            @Override
            public void release(ByteBuffer buffer) {
                counting.release(buffer);
            }
        };
        byte[] all = new byte[300 * 1024];
        new Random(7).nextBytes(all);
        PendingOutput pending = new PendingOutput(recording, ByteBuffer.wrap(all, 0, 100));
        for (int at = 100; at < all.length; at += 7_000) {
            pending.append(ByteBuffer.wrap(all, at, Math.min(7_000, all.length - at)));
        }
        assertThat(pending.size()).isEqualTo(all.length);
        assertThat(asked).allMatch(bytes -> bytes <= PendingOutput.CHUNK_BYTES);

        SocketWithRoom socket = new SocketWithRoom(5_000);
        assertThat(pending.writeTo(socket)).as("the socket had room for 5,000 bytes").isFalse();
        assertThat(pending.size()).isEqualTo(all.length - 5_000);
        socket.room = Integer.MAX_VALUE;
        assertThat(pending.writeTo(socket)).isTrue();

        assertThat(socket.taken.toByteArray()).isEqualTo(all);
        assertThat(pending.size()).isZero();
        assertThat(counting.outstanding()).as("every emptied chunk given back").isZero();
    }

    @Test
    void releaseGivesBackEveryChunkStillHeld() {
        CountingBufferSource counting = new CountingBufferSource();
        PendingOutput pending = new PendingOutput(counting, ByteBuffer.allocate(50 * 1024));
        assertThat(counting.outstanding()).isGreaterThan(1);

        pending.release();

        assertThat(counting.outstanding()).isZero();
        assertThat(pending.size()).isZero();
    }
}
