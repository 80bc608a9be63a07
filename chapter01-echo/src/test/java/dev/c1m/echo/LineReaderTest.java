package dev.c1m.echo;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LineReaderTest {

    private static LineReader reader(String text, int maxLineBytes) {
        return new LineReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), maxLineBytes);
    }

    /** Hands out one byte per read, as a peer writing byte by byte might be seen. */
    private static final class OneByteAtATime extends InputStream {
        private final byte[] bytes;
        private int position;

        OneByteAtATime(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public int read() {
            return position < bytes.length ? bytes[position++] & 0xff : -1;
        }

        @Override
        public int read(byte[] target, int offset, int length) {
            if (position == bytes.length) {
                return -1;
            }
            target[offset] = bytes[position++];
            return 1;
        }
    }

    /** An endless stream of 'x' that counts how much was read from it. */
    private static final class EndlessLine extends InputStream {
        long delivered;

        @Override
        public int read() {
            delivered++;
            return 'x';
        }

        @Override
        public int read(byte[] target, int offset, int length) {
            java.util.Arrays.fill(target, offset, offset + length, (byte) 'x');
            delivered += length;
            return length;
        }
    }

    @Test
    void readsLinesInOrderAndReturnsNullAtEndOfStream() throws IOException {
        LineReader reader = reader("one\ntwo\nthree\n", 100);

        assertThat(reader.readLine()).isEqualTo("one");
        assertThat(reader.readLine()).isEqualTo("two");
        assertThat(reader.readLine()).isEqualTo("three");
        assertThat(reader.readLine()).isNull();
    }

    @Test
    void dropsTheCarriageReturnOfCrLf() throws IOException {
        LineReader reader = reader("dos\r\nunix\n", 100);

        assertThat(reader.readLine()).isEqualTo("dos");
        assertThat(reader.readLine()).isEqualTo("unix");
    }

    @Test
    void returnsAnEmptyStringForAnEmptyLine() throws IOException {
        LineReader reader = reader("\n\r\nafter\n", 100);

        assertThat(reader.readLine()).isEmpty();
        assertThat(reader.readLine()).isEmpty();
        assertThat(reader.readLine()).isEqualTo("after");
    }

    @Test
    void returnsALastLineEndedByEndOfStreamInsteadOfNewline() throws IOException {
        LineReader reader = reader("first\nunterminated", 100);

        assertThat(reader.readLine()).isEqualTo("first");
        assertThat(reader.readLine()).isEqualTo("unterminated");
        assertThat(reader.readLine()).isNull();
    }

    @Test
    void reassemblesLinesDeliveredOneByteAtATimeIncludingSplitMultiByteCharacters() throws IOException {
        byte[] bytes = "héllo 你好 🚀\r\nsecond\n".getBytes(StandardCharsets.UTF_8);
        LineReader reader = new LineReader(new OneByteAtATime(bytes), 100);

        assertThat(reader.readLine()).isEqualTo("héllo 你好 🚀");
        assertThat(reader.readLine()).isEqualTo("second");
        assertThat(reader.readLine()).isNull();
    }

    @Test
    void acceptsALineOfExactlyTheLimitEvenWithCrLfAndSpreadOverReads() throws IOException {
        String atLimit = "y".repeat(20_000);
        byte[] bytes = (atLimit + "\r\n" + atLimit + "\n").getBytes(StandardCharsets.UTF_8);
        LineReader reader = new LineReader(new ByteArrayInputStream(bytes), 20_000);

        assertThat(reader.readLine()).isEqualTo(atLimit);
        assertThat(reader.readLine()).isEqualTo(atLimit);
    }

    @Test
    void rejectsALineOneByteOverTheLimitWhenItFitsInOneRead() {
        LineReader reader = reader("12345678901\n", 10);

        assertThatThrownBy(reader::readLine)
                .isInstanceOf(LineTooLongException.class)
                .hasMessage("line longer than 10 bytes");
    }

    @Test
    void rejectsALineOneByteOverTheLimitWhenItSpansReads() {
        byte[] bytes = ("z".repeat(20_001) + "\n").getBytes(StandardCharsets.UTF_8);
        LineReader reader = new LineReader(new OneByteAtATime(bytes), 20_000);

        assertThatThrownBy(reader::readLine).isInstanceOf(LineTooLongException.class);
    }

    @Test
    void stopsReadingAnEndlessLineSoonAfterTheLimit() {
        EndlessLine endless = new EndlessLine();
        LineReader reader = new LineReader(endless, 10_000);

        assertThatThrownBy(reader::readLine).isInstanceOf(LineTooLongException.class);
        assertThat(endless.delivered).isLessThanOrEqualTo(10_000 + 8 * 1024);
    }

    @Test
    void decodesInvalidUtf8AsReplacementCharactersInsteadOfFailing() throws IOException {
        byte[] bytes = {'a', (byte) 0xff, (byte) 0xc3, 'b', '\n'};
        LineReader reader = new LineReader(new ByteArrayInputStream(bytes), 100);

        assertThat(reader.readLine()).isEqualTo("a\uFFFD\uFFFDb");
    }

    @Test
    void reportsABufferedLineOnlyWhileACompleteOneRemainsUnparsed() throws IOException {
        LineReader reader = reader("a\nb\nc", 100);

        reader.readLine();
        assertThat(reader.hasBufferedLine()).isTrue();
        reader.readLine();
        assertThat(reader.hasBufferedLine()).as("only the start of c is buffered").isFalse();
        assertThat(reader.hasBufferedInput()).isTrue();
        assertThat(reader.readLine()).isEqualTo("c");
        assertThat(reader.hasBufferedInput()).isFalse();
    }

    @Test
    void refusesANonPositiveLimit() {
        assertThatThrownBy(() -> new LineReader(InputStream.nullInputStream(), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
