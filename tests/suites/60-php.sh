#!/usr/bin/env bash
# PHP binding (bindings/php): PHPUnit — shared vectors and hash_hmac cross-checks, the API and
# its exceptions, Guzzle and PSR-7 glue, php -S with several workers, Debian's php-fpm over
# FastCGI with the preloaded FFI scope, the CLI examples chained with C and Python, valgrind.
set -euo pipefail
cd "${SIGNWIRE_ROOT:-$(dirname "$0")/../..}"
exec phpunit -c bindings/php/phpunit.xml.dist
