; Inno Setup 6 script for BTAM Desktop: a per-user installer that needs no administrator.
;
; Build on Windows after packaging\build.py has made "dist\BTAM Desktop\":
;
;     iscc /DAppVersion=0.1.0 packaging\windows\btam.iss
;
; Optional code signing (see packaging\README.md): define SignToolName and register a sign tool
; of that name with /S, e.g.
;     iscc /DSignToolName=btamsign "/Sbtamsign=signtool.exe sign /fd SHA256 /tr http://timestamp.digicert.com /td SHA256 /f cert.pfx /p PASSWORD $f" ...
; Without it the installer is UNSIGNED and says so in its file name.
;
; The uninstaller removes the program folder and its shortcuts only. Vaults and backups live
; elsewhere (%LOCALAPPDATA%\BTAM Desktop\vault by default, or any folder a team chose) and are
; never touched: this script has no [UninstallDelete] or [InstallDelete] entries on purpose.

#define AppName "BTAM Desktop"
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppExe "BTAM Desktop.exe"
#define CliExe "btam.exe"
#define SourceDir "..\..\dist\BTAM Desktop"
#ifdef SignToolName
  #define SignedSuffix ""
#else
  #define SignedSuffix "-UNSIGNED"
#endif

[Setup]
AppId={{6B0E7E59-3C0B-4E0A-9F0C-5B7D2A51B7A1}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=BTAM Desktop
VersionInfoVersion={#AppVersion}.0
VersionInfoProductName={#AppName}
VersionInfoProductVersion={#AppVersion}
VersionInfoDescription={#AppName} installer
VersionInfoCompany=BTAM Desktop
VersionInfoCopyright=BTAM Desktop contributors
; Per user: installs into %LOCALAPPDATA%\Programs\BTAM Desktop, no administrator needed.
; A person with administrator rights may choose "for all users" in the first dialog.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
DefaultDirName={autopf}\{#AppName}
DisableProgramGroupPage=yes
UsePreviousAppDir=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0.17763
SetupIconFile=..\icons\btam.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
WizardStyle=modern
Compression=lzma2/max
SolidCompression=yes
OutputDir=..\..\dist
OutputBaseFilename=BTAM-Desktop-{#AppVersion}-setup{#SignedSuffix}
CloseApplications=yes
RestartApplications=no
#ifdef SignToolName
SignTool={#SignToolName}
SignedUninstaller=yes
#endif

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "Behavioral threat assessment cases, encrypted on this computer"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
{ A vault folder must never become the program folder: uninstalling or upgrading replaces
  that folder's program files. Refuse a folder that holds a vault. }
function HoldsVault(Dir: String): Boolean;
begin
  Result := FileExists(AddBackslash(Dir) + 'vault.keys') or
            FileExists(AddBackslash(Dir) + 'vault\vault.keys') or
            DirExists(AddBackslash(Dir) + 'backups');
end;

function NextButtonClick(CurPageID: Integer): Boolean;
begin
  Result := True;
  if (CurPageID = wpSelectDir) and HoldsVault(WizardDirValue) then
  begin
    MsgBox('This folder holds a BTAM Desktop vault or its backups. Choose another folder for ' +
           'the program; the vault stays where it is.', mbError, MB_OK);
    Result := False;
  end;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  DataDir: String;
begin
  if CurUninstallStep = usPostUninstall then
  begin
    DataDir := ExpandConstant('{localappdata}\{#AppName}');
    if DirExists(DataDir) and not UninstallSilent then
      MsgBox('BTAM Desktop was removed. Your vaults and backups were not touched; the default ' +
             'vault is still in ' + DataDir + '. Delete it yourself only when your records ' +
             'retention rules allow it.', mbInformation, MB_OK);
  end;
end;
