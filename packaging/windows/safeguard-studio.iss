; Inno Setup 6 script: installs the PyInstaller folder dist\safeguard-studio.
;   iscc /DAppVersion=0.1.0 packaging\windows\safeguard-studio.iss
; (run from the repository root after the PyInstaller build; the installer lands in dist\).

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "Safeguard Studio"
#define BundleDir "..\..\dist\safeguard-studio"

[Setup]
AppId={{6C1F4B2E-5A3D-4E8B-9C71-2F0D8A6B4E53}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=Safeguard Studio developers
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
OutputDir=..\..\dist
OutputBaseFilename=safeguard-studio-{#AppVersion}-windows-x64-setup
SetupIconFile=..\..\build\icons\safeguard-studio.ico
UninstallDisplayIcon={app}\safeguard-studio.exe
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; per-user install without admin rights is offered; models and data live in the user's folders
PrivilegesRequiredOverridesAllowed=dialog

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\safeguard-studio.exe"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\safeguard-studio.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\safeguard-studio.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
