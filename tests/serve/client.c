/* A C client of `signwire serve`: signs with the C binding, sends over a plain socket.
 *
 *   SECRET=... client PORT KEY_ID SIGN_METHOD SEND_METHOD PATH ORIGIN BODY FP_FILE
 *
 * Signs SIGN_METHOD ORIGIN+PATH with BODY, writes the client-side fingerprint line
 * (signwire_fingerprint) to FP_FILE, sends SEND_METHOD PATH to 127.0.0.1:PORT (so a
 * SEND_METHOD other than SIGN_METHOD is a tampered request) and prints the whole answer.
 * Exit status: 0 answered, 1 signwire or the socket failed, 2 usage.
 */
#include <signwire.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int fail(const char *what, signwire_status st) {
    fprintf(stderr, "%s: %s: %s\n", what, signwire_status_name(st), signwire_last_error_message());
    return 1;
}

static int send_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = send(fd, p, n, 0);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 9 || !getenv("SECRET")) {
        fprintf(stderr, "usage: SECRET=... client PORT KEY_ID SIGN_METHOD SEND_METHOD PATH ORIGIN BODY FP_FILE\n");
        return 2;
    }
    const char *port = argv[1], *key_id = argv[2], *sign_method = argv[3], *send_method = argv[4];
    const char *path = argv[5], *origin = argv[6], *body = argv[7], *fp_file = argv[8];
    const char *secret = getenv("SECRET");
    char url[2048];
    snprintf(url, sizeof url, "%s%s", origin, path);

    signwire_scheme *scheme = NULL;
    signwire_signer *signer = NULL;
    char headers[SIGNWIRE_SIGNED_HEADERS_MAX], fp[4096];
    size_t n = 0, fp_len = 0;
    signwire_status st = signwire_scheme_new("hopnow", &scheme);
    if (st != SIGNWIRE_OK)
        return fail("scheme", st);
    st = signwire_signer_new(scheme, key_id, secret, strlen(secret), &signer);
    if (st != SIGNWIRE_OK)
        return fail("signer", st);
    st = signwire_signer_sign(signer, sign_method, url, body, strlen(body), NULL, headers, sizeof headers, &n);
    if (st != SIGNWIRE_OK)
        return fail("sign", st);
    st = signwire_fingerprint(scheme, sign_method, url, body, strlen(body), headers, fp, sizeof fp, &fp_len);
    if (st != SIGNWIRE_OK)
        return fail("fingerprint", st);
    signwire_signer_free(signer);
    signwire_scheme_free(scheme);
    FILE *f = fopen(fp_file, "w");
    if (!f || fprintf(f, "%s\n", fp) < 0 || fclose(f) != 0) {
        perror(fp_file);
        return 1;
    }

    /* headers is a `Name: value\r\n` block: it goes on the wire as it is. */
    char head[8192];
    int hl = snprintf(head, sizeof head, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nContent-Length: %zu\r\n%s\r\n",
                      send_method, path, port, strlen(body), headers);
    if (hl < 0 || (size_t)hl >= sizeof head)
        return 2;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)atoi(port));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || send_all(fd, head, (size_t)hl) != 0 ||
        send_all(fd, body, strlen(body)) != 0) {
        perror("connect/send");
        return 1;
    }
    char buf[4096];
    ssize_t r;
    while ((r = recv(fd, buf, sizeof buf, 0)) > 0)
        fwrite(buf, 1, (size_t)r, stdout);
    close(fd);
    return r < 0 ? 1 : 0;
}
