package dev.c1m.nio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FrameDecoderTest {

    private static final int MAX = 1024;

    private final CountingBufferSource buffers = new CountingBufferSource();
    private final FrameDecoder decoder = new FrameDecoder(MAX, buffers);
    private final List<byte[]> frames = new ArrayList<>();

    private void feed(byte[] bytes) throws ProtocolException {
        ByteBuffer input = ByteBuffer.wrap(bytes);
        decoder.decode(input, payload -> {
            byte[] copy = new byte[payload.remaining()];
            payload.get(copy);
            frames.add(copy);
        });
        assertThat(input.hasRemaining()).as("input consumed completely").isFalse();
    }

    private static byte[] header(int length) {
        return ByteBuffer.allocate(4).putInt(length).array();
    }

    @Test
    void decodesSeveralFramesFromOneChunkIncludingAnEmptyOne() throws ProtocolException {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        stream.writeBytes(FrameEncoder.encode(new byte[] {1, 2, 3}));
        stream.writeBytes(FrameEncoder.encode(new byte[0]));
        stream.writeBytes(FrameEncoder.encode(new byte[] {9}));

        feed(stream.toByteArray());

        assertThat(frames).containsExactly(new byte[] {1, 2, 3}, new byte[0], new byte[] {9});
    }

    @Test
    void decodesAnEmptyFrameWhoseHeaderEndsTheChunk() throws ProtocolException {
        feed(header(0));

        assertThat(frames).containsExactly(new byte[0]);
        assertThat(decoder.hasPartialFrame()).isFalse();
    }

    @Test
    void holdsNoBufferForASplitLengthPrefixAndOneOfExactlyThePayloadSizeForASplitPayload() throws ProtocolException {
        byte[] frame = FrameEncoder.encode(new byte[300]);
        feed(new byte[] {frame[0], frame[1]});
        assertThat(decoder.hasPartialFrame()).isTrue();
        assertThat(buffers.outstanding()).isZero();

        feed(Arrays.copyOfRange(frame, 2, 100));
        assertThat(buffers.outstanding()).isEqualTo(1);

        feed(Arrays.copyOfRange(frame, 100, frame.length));
        assertThat(frames).hasSize(1);
        assertThat(buffers.outstanding()).isZero();
        assertThat(decoder.hasPartialFrame()).isFalse();
    }

    @Test
    void acceptsAFrameOfExactlyTheMaximumLength() throws ProtocolException {
        byte[] payload = new byte[MAX];
        new Random(7).nextBytes(payload);

        feed(FrameEncoder.encode(payload));

        assertThat(frames).containsExactly(payload);
    }

    @Test
    void rejectsALengthOneByteOverTheMaximumFromItsHeaderAlone() {
        assertThatThrownBy(() -> feed(header(MAX + 1)))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("exceeds the maximum");
    }

    @Test
    void rejectsANegativeLengthEvenWhenItsHeaderArrivesOneByteAtATime() throws ProtocolException {
        byte[] header = header(-5);
        feed(new byte[] {header[0]});
        feed(new byte[] {header[1]});
        feed(new byte[] {header[2]});

        assertThatThrownBy(() -> feed(new byte[] {header[3]}))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("negative");
    }

    @Test
    void rejectsAnAbsurdLengthWithoutAllocatingForIt() {
        assertThatThrownBy(() -> feed(header(Integer.MAX_VALUE))).isInstanceOf(ProtocolException.class);
        assertThat(buffers.outstanding()).isZero();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 42, 20261123})
    void decodesALongStreamCutAtRandomPointsDownToOneByteExactly(long seed) throws ProtocolException {
        Random random = new Random(seed);
        List<byte[]> sent = new ArrayList<>();
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (int i = 0; i < 3_000; i++) {
            byte[] payload = new byte[random.nextInt(4) == 0 ? 0 : random.nextInt(MAX + 1)];
            random.nextBytes(payload);
            sent.add(payload);
            stream.writeBytes(FrameEncoder.encode(payload));
        }
        byte[] bytes = stream.toByteArray();

        for (int offset = 0; offset < bytes.length; ) {
            int chunk = Math.min(bytes.length - offset, random.nextInt(4) == 0 ? 1 : 1 + random.nextInt(2 * MAX));
            feed(Arrays.copyOfRange(bytes, offset, offset + chunk));
            offset += chunk;
        }

        assertThat(frames).containsExactlyElementsOf(sent);
        assertThat(buffers.outstanding()).isZero();
    }
}
