<?php

// opcache.preload script for PHP-FPM and other server SAPIs (see README, section "PHP").
//
// Under the default `ffi.enable=preload`, PHP lets only preloaded code call FFI's static
// methods (FFI::scope, FFI::addr, FFI::string...), so this preloads every Signwire class, and
// makes sure the library is declared under the FFI scope "SIGNWIRE":
//
//   - FPM master running as root (the usual service): PHP refuses FFI::load() in a preload
//     script that runs as `opcache.preload_user`, so declare the scope with `ffi.preload`:
//         opcache.enable=1
//         opcache.preload=/path/to/bindings/php/preload.php
//         opcache.preload_user=www-data
//         ffi.preload=/etc/php/signwire-ffi.h   ; php bin/ffi-header.php --preload > /etc/php/signwire-ffi.h
//   - master running as an unprivileged user: the two opcache lines are enough; the library
//     is found as at run time (SIGNWIRE_LIB in the master's environment, bindings/php/lib/,
//     or the repository's target/release) and loaded here with FFI::load().

declare(strict_types=1);

require __DIR__ . '/autoload.php';

foreach (glob(__DIR__ . '/src/*.php') as $file) {
    $name = 'Signwire\\' . basename($file, '.php');
    if ($name === 'Signwire\\Psr15Middleware' && !interface_exists('Psr\\Http\\Server\\MiddlewareInterface')) {
        continue; // its interface (psr/http-server-middleware) is not installed: loading it would be fatal
    }
    class_exists($name) || interface_exists($name);
}

try {
    FFI::scope(Signwire\Library::SCOPE);
} catch (FFI\Exception) {
    Signwire\Library::preload();
}
