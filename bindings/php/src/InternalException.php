<?php

declare(strict_types=1);

namespace Signwire;

/** `SIGNWIRE_ERR_INTERNAL`: A bug inside signwire (a caught panic); please report it. */
final class InternalException extends StatusException
{
}
