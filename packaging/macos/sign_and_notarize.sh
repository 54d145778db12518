#!/usr/bin/env bash
# Sign, notarize and package "dist/BTAM Desktop.app" as a .dmg. Run on a Mac after
# packaging/build.py, from the repository root:
#
#     packaging/macos/sign_and_notarize.sh
#
# Configuration (environment variables; see packaging/README.md for what to buy):
#   BTAM_MACOS_IDENTITY   "Developer ID Application: Your District (TEAMID)", a certificate in
#                         the keychain. Unset: the .app and .dmg are left UNSIGNED and the .dmg
#                         is named ...-UNSIGNED.dmg.
#   BTAM_NOTARY_PROFILE   a notarytool keychain profile (xcrun notarytool store-credentials).
#                         Unset: signed but not notarized; Gatekeeper will still warn.
#
# Qt-framework pitfalls handled here:
#   - sign inside-out (every .so/.dylib, then each Qt*.framework's Versions/A, then the
#     executables, then the .app), never with --deep, which signs in the wrong order and
#     misses nested code or signs resources as code;
#   - sign a framework through its versioned directory, not the top-level symlinks;
#   - clear extended attributes first ("resource fork, Finder information, or similar
#     detritus not allowed");
#   - hardened runtime (--options runtime) and a secure timestamp on every item, which
#     notarization requires; entitlements only on the executables.
set -euo pipefail

cd "$(dirname "$0")/../.."
APP="dist/BTAM Desktop.app"
ENTITLEMENTS="packaging/macos/entitlements.plist"
VERSION="$(python3 -c 'import tomllib;print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')"
IDENTITY="${BTAM_MACOS_IDENTITY:-}"
PROFILE="${BTAM_NOTARY_PROFILE:-}"

if [[ ! -d "$APP" ]]; then
    echo "error: $APP is missing; run packaging/build.py first" >&2
    exit 1
fi

sign() {  # sign one item with the hardened runtime and a timestamp
    codesign --force --timestamp --options runtime --sign "$IDENTITY" "$@"
}

if [[ -n "$IDENTITY" ]]; then
    echo "== signing $APP as: $IDENTITY"
    xattr -cr "$APP"
    find "$APP" -name .DS_Store -delete
    # 1. every loadable binary (leaves: their order among themselves does not matter);
    #    -type f skips the symlinks PyInstaller and the frameworks use
    while IFS= read -r -d '' binary; do
        sign "$binary"
    done < <(find "$APP/Contents" -type f \( -name '*.so' -o -name '*.dylib' \) -print0)
    # ...and the frameworks' own main binaries (QtCore.framework/Versions/A/QtCore)
    while IFS= read -r -d '' binary; do
        file "$binary" | grep -q 'Mach-O' && sign "$binary"
    done < <(find "$APP/Contents" -type f -path '*.framework/Versions/*' ! -name '*.*' -print0)
    # 2. the Qt frameworks, through their versioned directories
    while IFS= read -r -d '' framework; do
        for version in "$framework"/Versions/*; do
            [[ -L "$version" ]] && continue   # "Current" is a symlink
            sign "$version"
        done
    done < <(find "$APP/Contents" -type d -name '*.framework' -print0)
    # 3. the executables, with the entitlements
    for program in "$APP"/Contents/MacOS/*; do
        [[ -f "$program" && -x "$program" && ! -L "$program" ]] || continue
        if file "$program" | grep -q 'Mach-O'; then
            sign --entitlements "$ENTITLEMENTS" "$program"
        fi
    done
    # 4. the bundle itself
    sign --entitlements "$ENTITLEMENTS" "$APP"
    codesign --verify --strict --deep --verbose=2 "$APP"
    DMG="dist/BTAM-Desktop-$VERSION.dmg"
else
    echo "!! BTAM_MACOS_IDENTITY is not set: building an UNSIGNED .app and .dmg."
    echo "!! macOS will refuse to open it for ordinary users (right-click > Open once, or"
    echo "!! System Settings > Privacy & Security > Open Anyway). Do not ship it to users."
    DMG="dist/BTAM-Desktop-$VERSION-UNSIGNED.dmg"
fi

echo "== making $DMG"
STAGING="$(mktemp -d)"
trap 'rm -rf "$STAGING"' EXIT
cp -R "$APP" "$STAGING/"
ln -s /Applications "$STAGING/Applications"
rm -f "$DMG"
hdiutil create -volname "BTAM Desktop" -srcfolder "$STAGING" -fs HFS+ -format UDZO -ov "$DMG"

if [[ -n "$IDENTITY" ]]; then
    codesign --force --timestamp --sign "$IDENTITY" "$DMG"
    if [[ -n "$PROFILE" ]]; then
        echo "== notarizing (this waits for Apple's answer)"
        xcrun notarytool submit "$DMG" --keychain-profile "$PROFILE" --wait
        xcrun stapler staple "$DMG"
        spctl --assess --type open --context context:primary-signature --verbose=2 "$DMG"
    else
        echo "!! BTAM_NOTARY_PROFILE is not set: signed but NOT notarized; Gatekeeper will warn."
    fi
fi
shasum -a 256 "$DMG"
echo "== done: $DMG"
