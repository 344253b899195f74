<?php

// Print include/signwire.h as declarations PHP's FFI parser accepts (see Signwire\Header).
//   php bin/ffi-header.php [HEADER]                                   for FFI::cdef
//   php bin/ffi-header.php --preload [--lib PATH] [--scope NAME] [HEADER]
//        a header with FFI_SCOPE and FFI_LIB lines, for FFI::load() in an opcache.preload script

declare(strict_types=1);

require dirname(__DIR__) . '/autoload.php';

$preload = false;
$lib = null;
$scope = Signwire\Library::SCOPE;
$header = null;
for ($i = 1; $i < count($argv); $i++) {
    match ($argv[$i]) {
        '--preload' => $preload = true,
        '--lib' => $lib = $argv[++$i] ?? null,
        '--scope' => $scope = $argv[++$i] ?? '',
        default => $header = $argv[$i],
    };
}
try {
    [$foundLib, $foundHeader] = Signwire\Library::locate($lib);
    $text = (string) file_get_contents($header ?? $foundHeader);
    echo $preload ? Signwire\Header::forPreload($text, $scope, $foundLib) : Signwire\Header::phpSafe($text);
} catch (Throwable $e) {
    fwrite(STDERR, $e->getMessage() . "\n");
    exit(2);
}
