package io.countersign.server.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Reading an upstream's stdout: lines over the limit are passed over, keeping only enough to find whom they answer. */
final class LineReaderTest {
    private static final JacksonMcpJsonMapper JSON = new JacksonMcpJsonMapper(McpTestGateway.MAPPER);

    @Test
    void aLineOverTheLimit_isSkippedWhole_andTheLinesAfterItAreReadAsUsual() throws Exception {
        String big = "{\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"" + "é".repeat(40_000)
                + "\"}]},\"jsonrpc\":\"2.0\",\"id\":\"abc-7\"}";
        List<LineReader.Line> lines = read("first\n" + big + "\nlast\nno break at the end", 10_000);

        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).isEqualTo(new LineReader.Line.Whole("first"));
        LineReader.Line.Oversized oversized = (LineReader.Line.Oversized) lines.get(1);
        assertThat(oversized.bytes()).isEqualTo(big.getBytes(StandardCharsets.UTF_8).length);
        assertThat(oversized.head()).startsWith("{\"result\":");
        assertThat(oversized.tail()).endsWith("\"id\":\"abc-7\"}");
        assertThat(lines.get(2)).isEqualTo(new LineReader.Line.Whole("last"));
        assertThat(lines.get(3)).isEqualTo(new LineReader.Line.Whole("no break at the end"));
    }

    @Test
    void aLineOfExactlyTheLimit_isWhole() throws Exception {
        assertThat(read("x".repeat(1000) + "\n", 1000)).containsExactly(new LineReader.Line.Whole("x".repeat(1000)));
        assertThat(read("x".repeat(1001) + "\n", 1000).getFirst()).isInstanceOf(LineReader.Line.Oversized.class);
    }

    @Test
    void theIdOfAnOversizedResponse_isFoundWhereServersWriteIt_andNowhereElse() {
        // The TypeScript SDK writes the id last, the Python SDK first.
        assertThat(OversizedLine.responseId("{\"result\":{", ",\"jsonrpc\":\"2.0\",\"id\":\"abc-7\"}", JSON))
                .contains("abc-7");
        assertThat(OversizedLine.responseId("{\"jsonrpc\":\"2.0\",\"id\":12,\"result\":{", "\"}]}}", JSON))
                .contains(12);
        // An "id" inside the content is not the response's.
        assertThat(OversizedLine.responseId("{\"result\":{\"id\":3,", "\"x\"}]}}", JSON))
                .isEqualTo(Optional.empty());
        assertThat(OversizedLine.responseId("{\"result\":{", "{\"id\":4}]}}", JSON))
                .isEqualTo(Optional.empty());
    }

    private static List<LineReader.Line> read(String text, int max) throws Exception {
        LineReader reader = new LineReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), max);
        List<LineReader.Line> lines = new ArrayList<>();
        for (LineReader.Line line = reader.next(); line != null; line = reader.next()) {
            lines.add(line);
        }
        return lines;
    }
}
