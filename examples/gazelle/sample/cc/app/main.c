#include <stdio.h>
#include "cc/mathx/mathx.h"

int main(void) {
    printf("gcd(12, 18) = %d\n", gcd(12, 18));
    return 0;
}
