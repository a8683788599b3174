/* Test-only stand-in for bcryptprimitives.dll under Wine 8, whose bcryptprimitives lacks
 * ProcessPrng (Rust's standard library imports it since 1.78). Placed beside the .exe inside the
 * test WINEPREFIX only; never part of the MSI. RtlGenRandom is SystemFunction036 in advapi32. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
