package io.countersign.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ProxyPathTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/..",
                "/../admin",
                "/repos/../../admin",
                "/%2e%2e/admin",
                "/%2E%2E",
                "/.%2e/x",
                "/%2e/x",
                "/./x",
                "/a%2fb",
                "/a%2Fb",
                "/a%5cb",
                "/a\\b",
                "//evil.example/x",
                "/https://evil.example/x",
                "/a//b",
                "/x%00y",
                "/x%0ay",
                "/x%zz",
                "/x%2",
                "/x%c3%28",
                "x",
                "/a b",
                "/a#b",
                "/caf\u00e9"
            })
    void refusesAnyPathThatCouldNameSomethingOtherThanAPathBelowTheUpstream(String raw) {
        assertThatThrownBy(() -> ProxyPath.parse(raw)).isInstanceOf(ProxyPath.BadPath.class);
    }

    @ParameterizedTest
    @CsvSource({
        "'', /",
        "/, /",
        "/repos/acme/api, /repos/acme/api",
        "/repos/acme/api/, /repos/acme/api",
        "/files/a%20b.txt, /files/a b.txt",
        "/caf%C3%A9, /café",
        "/v1/..x/x.., /v1/..x/x..",
        "/a+b/@me, /a+b/@me"
    })
    void keepsTheRawPathForTheUpstreamAndDecodesItForThePolicy(String raw, String decoded) throws Exception {
        ProxyPath path = ProxyPath.parse(raw);
        assertThat(path.raw()).isEqualTo(raw);
        assertThat(path.decoded()).isEqualTo(decoded);
    }
}
