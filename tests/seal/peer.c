/* The C side of the cross-language sealed-body round trip (tests/seal/roundtrip.sh).
 *
 *   peer client PORT BODY [tamper]  seal BODY for the server's RSA key, sign the token
 *                                   (HopNow), POST it over loopback; with "tamper", alter
 *                                   one byte of the token after signing. Prints the answer;
 *                                   exit 0 when the status is 200 and the answer is BODY.
 *   peer server PORTFILE            answer one request: signwire_verify_and_open (the
 *                                   signature is checked before anything is decrypted);
 *                                   200 with the plaintext, or 401 with the status name.
 *                                   Prints the plaintext; exit 0 when it opened.
 *
 * Environment: SEAL_RSA_PUBLIC / SEAL_RSA_PRIVATE (PEM files), HMAC_SECRET_FILE. */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "signwire.h"

#define KEY_ID "client-1"
#define KID "server-rsa"

static void die(const char *what, signwire_status s) {
    fprintf(stderr, "c peer: %s: %s: %s\n", what, signwire_status_name(s), signwire_last_error_message());
    exit(2);
}

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    char *buf = malloc(65536);
    *len = fread(buf, 1, 65535, f);
    fclose(f);
    buf[*len] = 0;
    return buf;
}

static char *secret(size_t *len) {
    char *s = slurp(getenv("HMAC_SECRET_FILE"), len);
    while (*len && s[*len - 1] == '\n') s[--*len] = 0;
    return s;
}

static void write_all(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) { perror("write"); exit(2); }
        p += w; n -= (size_t)w;
    }
}

/* Read a whole HTTP message (headers + Content-Length body) into buf; returns the length
 * and sets *body to where the body starts. */
static size_t read_message(int fd, char *buf, size_t cap, char **body, size_t *body_len) {
    size_t n = 0;
    char *end = NULL;
    while (!end) {
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r <= 0) { fprintf(stderr, "c peer: connection closed early\n"); exit(2); }
        n += (size_t)r; buf[n] = 0;
        end = strstr(buf, "\r\n\r\n");
    }
    *body = end + 4;
    char *cl = strcasestr(buf, "\r\nContent-Length:");
    /* Without Content-Length (php -S answers so, then closes) the body runs to EOF. */
    size_t want = cl ? strtoul(cl + 17, NULL, 10) : cap;
    while ((size_t)(buf + n - *body) < want && n < cap - 1) {
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r <= 0) break;
        n += (size_t)r;
    }
    buf[n] = 0;
    *body_len = cl ? want : (size_t)(buf + n - *body);
    return n;
}

static int client(int port, const char *body, int tamper) {
    size_t pub_len, sec_len;
    char *pub = slurp(getenv("SEAL_RSA_PUBLIC"), &pub_len);
    char *sec = secret(&sec_len);
    signwire_status s;
    signwire_seal_recipient *to = NULL;
    signwire_scheme *scheme = NULL;
    signwire_signer *signer = NULL;
    if ((s = signwire_seal_recipient_new_rsa(KID, pub, pub_len, &to))) die("recipient", s);
    if ((s = signwire_scheme_new("hopnow", &scheme))) die("scheme", s);
    if ((s = signwire_signer_new(scheme, KEY_ID, sec, sec_len, &signer))) die("signer", s);

    /* Encrypt, then sign what is sent. */
    size_t cap = 0, token_len = 0, headers_len = 0;
    if ((s = signwire_seal_len(to, strlen(body), &cap))) die("seal_len", s);
    char *token = malloc(cap);
    if ((s = signwire_seal(to, body, strlen(body), token, cap, &token_len))) die("seal", s);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/pay", port);
    char headers[1024];
    if ((s = signwire_signer_sign(signer, "POST", url, token, token_len, NULL, headers, sizeof headers, &headers_len)))
        die("sign", s);
    if (strstr(token, "4111")) { fprintf(stderr, "c peer: plaintext visible in the token\n"); return 1; }
    if (tamper) token[token_len - 30] = token[token_len - 30] == 'A' ? 'B' : 'A';

    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr)) { perror("connect"); return 2; }
    char head[2048];
    int hl = snprintf(head, sizeof head,
                      "POST /v1/pay HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/jose\r\n"
                      "Content-Length: %zu\r\nConnection: close\r\n%s\r\n",
                      port, token_len, headers);
    write_all(fd, head, (size_t)hl);
    write_all(fd, token, token_len);

    static char resp[1 << 20];
    char *rbody; size_t rlen;
    read_message(fd, resp, sizeof resp, &rbody, &rlen);
    close(fd);
    int code = atoi(resp + 9);
    printf("c client: HTTP %d, answer: %.*s\n", code, (int)rlen, rbody);
    signwire_signer_free(signer); signwire_scheme_free(scheme); signwire_seal_recipient_free(to);
    free(token); free(pub); free(sec);
    return code == 200 && rlen == strlen(body) && memcmp(rbody, body, rlen) == 0 ? 0 : 1;
}

static int server(const char *portfile) {
    size_t priv_len, sec_len;
    char *priv = slurp(getenv("SEAL_RSA_PRIVATE"), &priv_len);
    char *sec = secret(&sec_len);
    signwire_status s;
    signwire_scheme *scheme = NULL;
    signwire_verifier *verifier = NULL;
    signwire_seal_keys *keys = NULL;
    if ((s = signwire_scheme_new("hopnow", &scheme))) die("scheme", s);
    if ((s = signwire_verifier_new(scheme, &verifier))) die("verifier", s);
    if ((s = signwire_verifier_add_secret(verifier, KEY_ID, sec, sec_len))) die("add_secret", s);
    if ((s = signwire_seal_keys_new(0, &keys))) die("keys", s);
    if ((s = signwire_seal_keys_add_rsa(keys, KID, priv, priv_len))) die("add_rsa", s);

    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof addr;
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) || listen(lfd, 4) || getsockname(lfd, (struct sockaddr *)&addr, &alen)) {
        perror("listen");
        return 2;
    }
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s.tmp", portfile);
    FILE *pf = fopen(tmp, "w");
    fprintf(pf, "%d", ntohs(addr.sin_port));
    fclose(pf);
    rename(tmp, portfile);

    alarm(60); /* a client that never comes must not hang the suite */
    int fd = accept(lfd, NULL, NULL);
    static char req[1 << 20];
    char *body; size_t body_len;
    read_message(fd, req, sizeof req, &body, &body_len);
    /* Request line, then the header block as received. */
    char *line_end = strstr(req, "\r\n");
    char path[256] = {0}, host[128] = {0};
    sscanf(req, "POST %255s HTTP/1.1", path);
    char *h = strcasestr(req, "\r\nHost:");
    if (h) sscanf(h + 7, " %127[^\r\n]", host);
    body[-2] = 0; /* end the header block before the blank line */
    const char *block = line_end + 2;
    char url[512];
    snprintf(url, sizeof url, "http://%s%s", host, path);

    char *plain = malloc(body_len + 1);
    char key_id[257];
    size_t plain_len = 0, key_id_len = 0;
    s = signwire_verify_and_open(verifier, keys, "POST", url, body, body_len, block, NULL, plain, body_len + 1, &plain_len,
                                 key_id, sizeof key_id, &key_id_len);
    char answer[512];
    int n;
    if (s == SIGNWIRE_OK) {
        n = snprintf(answer, sizeof answer, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n", plain_len);
        write_all(fd, answer, (size_t)n);
        write_all(fd, plain, plain_len);
        printf("c server: %s sent %.*s\n", key_id, (int)plain_len, plain);
    } else {
        const char *name = signwire_status_name(s);
        n = snprintf(answer, sizeof answer, "HTTP/1.1 401 Unauthorized\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
                     strlen(name), name);
        write_all(fd, answer, (size_t)n);
        printf("c server: refused: %s (%s)\n", name, signwire_last_error_message());
    }
    close(fd); close(lfd);
    signwire_seal_keys_free(keys); signwire_verifier_free(verifier); signwire_scheme_free(scheme);
    free(plain); free(priv); free(sec);
    return s == SIGNWIRE_OK ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc >= 4 && strcmp(argv[1], "client") == 0) return client(atoi(argv[2]), argv[3], argc > 4);
    if (argc == 3 && strcmp(argv[1], "server") == 0) return server(argv[2]);
    fprintf(stderr, "usage: peer client PORT BODY [tamper] | peer server PORTFILE\n");
    return 2;
}
